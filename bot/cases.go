package bot

// /mycases: the worker's cases with their status and timeline, and what
// they may still do with one — add a message or a file, or withdraw it.

import (
	"errors"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/intake"
	"github.com/rightsdesk/rightsdesk/store"
)

// CasesState is what /mycases waits for: a message or a file for Case.
type CasesState struct {
	Awaiting string `json:"awaiting,omitempty"`
	Case     string `json:"case,omitempty"`
}

const (
	awaitMessage  = "message"
	awaitEvidence = "evidence"
)

// Case button payloads (after "v1:c:").
const (
	casesList      = "l"
	casesOpen      = "o:"
	casesMessage   = "m:"
	casesEvidence  = "e:"
	casesWithdraw  = "w:"
	casesWithdrawn = "wy:"
)

// timelineShown bounds the events listed, so a long case stays one message.
const timelineShown = 15

// messagePreview bounds a message quoted in the timeline.
const messagePreview = 160

// dateLayout is language-neutral and read the same by the worker and by
// an organisation; dates are in UTC.
const dateLayout = "2006-01-02"

func caseDate(at time.Time) string { return at.UTC().Format(dateLayout) }

func (b *Bot) casesButton(t *turn, payload string) {
	b.casesStopWaiting(t)
	if b.clearButton(t, payload) || b.deskWorkerButton(t, payload) {
		return
	}
	if payload == casesList {
		b.casesList(t)
		return
	}
	op, id, ok := strings.Cut(payload, ":")
	if !ok || !store.ValidCaseID(id) {
		b.stale(t)
		return
	}
	c, ok := b.chatCase(t, id)
	if !ok {
		return
	}
	switch op + ":" {
	case casesOpen:
		b.caseShow(t, c)
	case casesMessage, casesEvidence:
		if b.refuseClosed(t, c) {
			return
		}
		awaiting, ask := awaitMessage, "cases_ask_message"
		if op+":" == casesEvidence {
			awaiting, ask = awaitEvidence, "cases_ask_evidence"
		}
		t.state.Cases = CasesState{Awaiting: awaiting, Case: c.ID}
		t.state.Pending = pendingCases
		t.send(t.t(ask, map[string]any{"ID": c.ID}), nil)
	case casesWithdraw:
		if b.refuseClosed(t, c) {
			return
		}
		t.send(t.t("cases_withdraw_confirm", map[string]any{"ID": c.ID}),
			yesNoKeyboard(t, callbackData(cbCases, casesWithdrawn+c.ID), callbackData(cbCases, casesOpen+c.ID)))
	case casesWithdrawn:
		if b.refuseClosed(t, c) {
			return
		}
		chatID := t.upd.ChatID
		t.effects = append(t.effects, func(tx *store.Tx) error { return tx.WithdrawCase(chatID, c.ID) })
		out, err := b.desk.Withdrawn(b.deskTurn(t), c.ID)
		if err != nil {
			t.failed = err
			return
		}
		t.addDesk(out)
		c.Status = store.CaseWithdrawn
		t.send(t.t("cases_withdrawn", map[string]any{"ID": c.ID}), b.caseKeyboard(t, c))
	default:
		b.stale(t)
	}
}

// refuseClosed tells the worker a closed case takes nothing more; false
// when the case is open.
func (b *Bot) refuseClosed(t *turn, c store.Case) bool {
	if !c.Closed() {
		return false
	}
	t.send(t.t("cases_closed", map[string]any{"ID": c.ID}), b.caseKeyboard(t, c))
	return true
}

// chatCase loads one of the worker's cases; a case that is not theirs, or
// no longer exists, reads as a stale button.
func (b *Bot) chatCase(t *turn, id string) (store.Case, bool) {
	c, err := b.cfg.Store.ChatCase(t.ctx, t.upd.ChatID, id)
	if errors.Is(err, store.ErrNotFound) {
		b.stale(t)
		return c, false
	}
	if err != nil {
		b.storeTrouble(t, err)
		return c, false
	}
	return c, true
}

// storeTrouble answers a failed read: the worker may simply try again.
func (b *Bot) storeTrouble(t *turn, err error) {
	b.cfg.Log.Error().Err(err).Int64("chat", t.upd.ChatID).Msg("reading cases failed")
	t.send(t.t("error_apology", nil), b.menuKeyboard(t))
}

func (b *Bot) casesList(t *turn) {
	b.casesStopWaiting(t)
	cases, err := b.cfg.Store.ChatCases(t.ctx, t.upd.ChatID)
	if err != nil {
		b.storeTrouble(t, err)
		return
	}
	if len(cases) == 0 {
		t.send(t.t("cases_none", nil), b.menuKeyboard(t))
		return
	}
	text := t.t("cases_title", nil)
	if len(cases) > casesListed {
		text += "\n\n" + t.t("cases_more", map[string]any{"Count": len(cases) - casesListed})
		cases = cases[:casesListed]
	}
	var rows [][]chat.Button
	for _, c := range cases {
		rows = append(rows, []chat.Button{{
			// Whole words that fit a phone: the case number always does.
			Text: fitLabel(t.t("cases_item", map[string]any{"ID": c.ID, "Status": t.caseStatus(c.Status), "Date": caseDate(c.UpdatedAt)}), 1, c.ID),
			Data: callbackData(cbCases, casesOpen+c.ID),
		}})
	}
	t.send(text, &chat.Keyboard{Inline: rows})
}

// casesListed is how many cases /mycases lists, the most recently active
// first: Telegram refuses a keyboard of more than 100 buttons, and a list
// that long helps nobody on a phone.
const casesListed = 40

func (t *turn) caseStatus(status string) string { return t.t("cases_status_"+status, nil) }

func (b *Bot) caseShow(t *turn, c store.Case) {
	events, err := b.cfg.Store.CaseEvents(t.ctx, c.ID)
	if err != nil {
		b.storeTrouble(t, err)
		return
	}
	desk, err := b.caseDesk(t, c)
	if err != nil {
		b.storeTrouble(t, err)
		return
	}
	page := func(shown int) string {
		var lines []string
		events := events
		if len(events) > shown {
			lines = append(lines, t.t("cases_earlier", map[string]any{"Count": len(events) - shown}))
			events = events[len(events)-shown:]
		}
		for _, e := range events {
			data := map[string]any{"Date": caseDate(e.At)}
			if e.Kind == store.EventMessage || e.Kind == store.EventOrgMessage {
				data["Text"] = escape(truncate(e.Text, messagePreview))
			}
			lines = append(lines, t.t("cases_event_"+e.Kind, data))
		}
		text := t.t("cases_case", map[string]any{
			"ID": c.ID, "Status": t.caseStatus(c.Status),
			"Created": caseDate(c.CreatedAt), "Updated": caseDate(c.UpdatedAt),
			"Timeline": strings.Join(lines, "\n"),
		})
		if desk != "" {
			text += "\n\n" + desk
		}
		if d := c.Details; d != nil && d.Name != "" {
			// The worker sees the name the organisation has, and can tell a
			// wrong one from a right one before anybody calls them by it.
			text += "\n\n" + t.t("cases_name", map[string]any{"Name": escape(d.Name)})
		}
		return text
	}
	// Previews are cut at a count of characters, but Telegram counts UTF-16
	// units, two for an emoji: fewer of the latest lines, then, until the
	// page fits (counted with its markup, which Telegram does not count).
	shown := timelineShown
	text := page(shown)
	for shown > 1 && chat.UTF16Len(text) > chat.MaxText {
		shown--
		text = page(shown)
	}
	t.send(text, b.caseKeyboard(t, c))
}

// caseDesk says which organisation has the case and how far it got there:
// on its way until its card is in the desk, then received, taken and so on.
func (b *Bot) caseDesk(t *turn, c store.Case) (string, error) {
	d, err := b.cfg.Store.LatestDelivery(t.ctx, c.ID, 0)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	// A question the worker has yet to answer comes first, while the
	// desk that asked it still has the case.
	if d.Active() {
		p, err := b.cfg.Store.PendingConsent(t.ctx, c.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		if err == nil && p.ID > d.ID {
			d = p
		}
	}
	state := d.Status
	switch d.Status {
	case store.DeliveryOpen:
		if _, err := b.cfg.Store.Named(t.ctx, d.ChatID, store.NameCard+c.ID); errors.Is(err, store.ErrNotFound) {
			state = "on_its_way"
		} else if err != nil {
			return "", err
		}
	}
	return t.t("cases_desk", map[string]any{"Name": escape(t.serviceName(d.ServiceID)),
		"State": t.t("cases_desk_"+state, nil)}), nil
}

func (b *Bot) caseKeyboard(t *turn, c store.Case) *chat.Keyboard {
	var rows [][]chat.Button
	if !c.Closed() {
		rows = append(rows,
			[]chat.Button{{Text: t.t("cases_btn_message", nil), Data: callbackData(cbCases, casesMessage+c.ID)}},
			[]chat.Button{{Text: t.t("cases_btn_evidence", nil), Data: callbackData(cbCases, casesEvidence+c.ID)}},
			[]chat.Button{{Text: t.t("cases_btn_withdraw", nil), Data: callbackData(cbCases, casesWithdraw+c.ID)}},
		)
	}
	rows = append(rows, []chat.Button{{Text: t.t("cases_btn_list", nil), Data: callbackData(cbCases, casesList)}})
	return &chat.Keyboard{Inline: rows}
}

// casesInput takes the message or file /mycases asked for.
func (b *Bot) casesInput(t *turn) bool {
	w := t.state.Cases
	if w.Awaiting == "" || !store.ValidCaseID(w.Case) {
		b.casesStopWaiting(t)
		return false
	}
	c, ok := b.chatCase(t, w.Case)
	if !ok {
		b.casesStopWaiting(t)
		return true
	}
	if b.refuseClosed(t, c) {
		b.casesStopWaiting(t)
		return true
	}
	u := t.upd
	chatID := u.ChatID
	switch {
	case u.File != nil && (u.Kind == chat.KindPhoto || u.Kind == chat.KindDocument || u.Kind == chat.KindVoice):
		f := store.CaseFile{FileID: u.File.ID, UniqueID: u.File.UniqueID, Kind: u.File.Kind, MIME: u.File.MIME, Size: u.File.Size}
		caption := strings.TrimSpace(u.Text)
		t.effects = append(t.effects, func(tx *store.Tx) error {
			if err := tx.AddCaseEvidence(chatID, c.ID, f); err != nil {
				return err
			}
			if caption != "" {
				return tx.AddCaseMessage(chatID, c.ID, caption)
			}
			return nil
		})
		to, ok := b.relayToDesk(t, c.ID, caption, u.File, false)
		if !ok {
			return true
		}
		// Files often come several at once: keep taking them until Done.
		t.state.Cases = CasesState{Awaiting: awaitEvidence, Case: c.ID}
		t.send(t.added("cases_evidence_added", "cases_evidence_sent", c.ID, to), &chat.Keyboard{Inline: [][]chat.Button{{
			{Text: t.t("btn_done", nil), Data: callbackData(cbCases, casesOpen+c.ID)},
		}}})
	case u.Kind == chat.KindText && w.Awaiting == awaitMessage:
		text := strings.TrimSpace(u.Text)
		if intake.Blank(text) {
			t.send(t.t("cases_want_text", nil), nil)
			return true
		}
		t.effects = append(t.effects, func(tx *store.Tx) error { return tx.AddCaseMessage(chatID, c.ID, text) })
		to, ok := b.relayToDesk(t, c.ID, text, nil, false)
		if !ok {
			return true
		}
		b.casesStopWaiting(t)
		t.send(t.added("cases_message_added", "cases_message_sent", c.ID, to), b.caseKeyboard(t, c))
	case w.Awaiting == awaitMessage:
		t.send(t.t("cases_want_text", nil), nil)
	default:
		t.send(t.t("cases_want_file", nil), nil)
	}
	return true
}

// relayToDesk passes what the worker added to the desk that has the case;
// to names that desk's organisation, empty when none has it. false means
// the turn failed and is handled again.
func (b *Bot) relayToDesk(t *turn, caseID, text string, file *chat.File, correction bool) (to string, ok bool) {
	out, to, err := b.desk.RelayFromWorker(b.deskTurn(t), caseID, text, file, correction)
	if err != nil {
		t.failed = err
		return "", false
	}
	t.addDesk(out)
	return to, true
}

// workerCorrection passes the worker's edit of a message that went on to
// a desk on to it as a correction. false: the edit was of something else
// (an answer to the intake, say), or no desk has the case now, and the
// worker is asked to send it again.
func (b *Bot) workerCorrection(t *turn) bool {
	u := t.upd
	id, err := b.cfg.Store.DeskRelayCase(t.ctx, u.ChatID, u.MessageID)
	if err != nil {
		return false
	}
	c, err := b.cfg.Store.ChatCase(t.ctx, u.ChatID, id)
	if err != nil || c.Closed() {
		return false
	}
	text := strings.TrimSpace(u.Text)
	if u.File == nil && intake.Blank(text) {
		return false
	}
	to, ok := b.relayToDesk(t, id, text, u.File, true)
	if !ok {
		return true // handled again
	}
	if to == "" {
		return false
	}
	if text != "" {
		chatID := u.ChatID
		t.effects = append(t.effects, func(tx *store.Tx) error { return tx.AddCaseMessage(chatID, id, text) })
	}
	t.send(t.t("cases_correction_sent", map[string]any{"ID": id, "Name": escape(t.serviceName(to))}), nil)
	return true
}

// added confirms an addition: sent on to the organisation that has the
// case, or kept with the case.
func (t *turn) added(kept, sent, caseID, to string) string {
	if to == "" {
		return t.t(kept, map[string]any{"ID": caseID})
	}
	return t.t(sent, map[string]any{"ID": caseID, "Name": escape(t.serviceName(to))})
}

func (b *Bot) casesCancel(t *turn) {
	b.casesStopWaiting(t)
	t.send(t.t("cases_input_cancelled", nil), b.menuKeyboard(t))
}

// casesStopWaiting forgets what /mycases was waiting for.
func (b *Bot) casesStopWaiting(t *turn) {
	t.state.Cases = CasesState{}
	if t.state.Pending == pendingCases {
		t.state.Pending = ""
	}
}
