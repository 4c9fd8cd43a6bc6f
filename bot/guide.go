package bot

// The guide feature: reading the practical guide in Telegram, search, and
// country pages. (Being built: see issue "The practical guide".)

// GuideState is the guide's part of a chat's state.
type GuideState struct{}

func (b *Bot) guideCommand(t *turn) {
	t.send(t.t("not_available_yet", nil), b.menuKeyboard(t))
}

func (b *Bot) guideButton(t *turn, payload string) { b.stale(t) }

func (b *Bot) guideInput(t *turn) bool { return false }
