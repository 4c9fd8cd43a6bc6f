package bot

// "Help near me": the nearest services and the emergency number for a shared
// location or a typed city. (Being built: see issue "Service directory and
// routing".)

func (b *Bot) helpInput(t *turn) bool { return false }

func (b *Bot) helpButton(t *turn, payload string) { b.stale(t) }
