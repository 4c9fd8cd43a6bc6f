package bot

// The complaint intake glue: runs the pure engine in bot/intake and renders
// its effects. (Being built: see issue "Complaint intake".)

func (b *Bot) intakeCommand(t *turn) {
	t.send(t.t("not_available_yet", nil), b.menuKeyboard(t))
}

func (b *Bot) intakeMenu(t *turn, item string) {
	t.send(t.t("not_available_yet", nil), b.menuKeyboard(t))
}

func (b *Bot) intakeButton(t *turn, payload string) { b.stale(t) }

func (b *Bot) intakeInput(t *turn) bool { return false }

func (b *Bot) casesButton(t *turn, payload string) { b.stale(t) }
