package bot

// Routing a submitted case to the services that fit it, with the worker's
// choice and consent. (Being built: see issue "Service directory and
// routing".)

func (b *Bot) routeButton(t *turn, payload string) { b.stale(t) }
