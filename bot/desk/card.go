package desk

// The card: a case as a desk sees it, edited in place as the case moves.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rightsdesk/rightsdesk/bot/chat"
	"github.com/rightsdesk/rightsdesk/bot/desk/casework"
	"github.com/rightsdesk/rightsdesk/content/directory"
	"github.com/rightsdesk/rightsdesk/store"
)

// storyInCard is the most of the worker's account a card holds, in UTF-16
// units; cardReserve is what its labels, status lines and history may
// take in any language. The account gets what the worker's other answers
// leave of Telegram's limit, up to storyInCard; the whole account follows
// the card when it did not fit.
const (
	storyInCard = 1500
	cardReserve = 1700
)

// cardStory is the part of the worker's account a card shows, and whether
// it was cut. It depends on the case's details alone, so every rendering of
// the card, in any language, agrees with what its delivery sent.
func cardStory(d *store.CaseDetails) (shown string, cut bool) {
	budget := chat.MaxText - cardReserve
	if d.Place != nil {
		budget -= chat.UTF16Len(d.Place.Name)
	}
	for _, s := range []string{d.SinceText, d.Employer, d.Name, d.Phone} {
		budget -= chat.UTF16Len(s)
	}
	pieces := chat.Split(d.Description, min(max(budget, 200), storyInCard))
	return pieces[0], len(pieces) > 1
}

// historyShown bounds the history lines on a card.
const historyShown = 12

// timeLayout is read alike in every language; desks see UTC.
const timeLayout = "2006-01-02 15:04 UTC"

func stamp(t time.Time) string { return t.UTC().Format(timeLayout) }

// cardView is everything a card shows.
type cardView struct {
	lang     string
	caseID   string
	details  *store.CaseDetails // nil once the worker erased them
	evidence int
	d        store.Delivery
	c        casework.Case
	org      store.Org
	now      time.Time
	dir      *directory.Directory
	place    func(id, lang string) string
}

func (k *Desk) cardText(v cardView) string {
	t := func(id string, data map[string]any) string { return k.t(v.lang, id, data) }
	var b strings.Builder
	line := func(s string) {
		if s != "" {
			b.WriteString(s)
			b.WriteString("\n")
		}
	}
	line(t("desk_card_title", map[string]any{"CaseID": v.caseID, "Status": t("desk_status_"+string(v.c.Status), nil)}))
	if v.details == nil {
		line(t("desk_card_erased", nil))
		return strings.TrimSpace(b.String())
	}
	d := v.details
	if d.InDanger {
		line(t("desk_card_danger", nil))
	}
	var cats []string
	for _, c := range d.Categories {
		cats = append(cats, t("intake_cat_"+c, nil))
	}
	line(t("desk_card_problem", map[string]any{"Categories": strings.Join(cats, ", ")}))
	if p := d.Place; p != nil {
		name := p.Name
		if v.place != nil && p.ID != "" {
			if n := v.place(p.ID, v.lang); n != "" {
				name = n
			}
		}
		line(t("desk_card_place", map[string]any{"City": escape(name), "Country": countryName(v.dir, p.Country, v.lang, t)}))
	}
	if d.Citizenship != "" {
		line(t("desk_card_citizenship", map[string]any{"Country": countryName(v.dir, d.Citizenship, v.lang, t)}))
	}
	if d.Sector != "" {
		line(t("desk_card_sector", map[string]any{"Sector": t("intake_sector_"+d.Sector, nil)}))
	}
	switch {
	case d.Since != "":
		line(t("desk_card_since", map[string]any{"Since": t("intake_since_"+d.Since, nil)}))
	case d.SinceText != "":
		line(t("desk_card_since", map[string]any{"Since": escape(d.SinceText)}))
	}
	if d.Employer != "" {
		line(t("desk_card_employer", map[string]any{"Employer": escape(d.Employer)}))
	}
	if d.Description != "" {
		shown, cut := cardStory(d)
		story := escape(shown)
		if cut {
			story += "\n" + t("desk_card_story_continued", nil)
		}
		line(t("desk_card_story", map[string]any{"Story": story}))
	}
	if v.evidence > 0 {
		line(t("desk_card_evidence", map[string]any{"Count": v.evidence}))
	}
	switch d.ContactMethod {
	case "phone":
		line(t("desk_card_contact_phone", map[string]any{"Phone": escape(d.Phone)}))
	case "none":
		line(t("desk_card_contact_none", nil))
	default:
		line(t("desk_card_contact_bot", nil))
	}
	if d.Name != "" {
		line(t("desk_card_name", map[string]any{"Name": escape(d.Name)}))
	} else {
		line(t("desk_card_anonymous", nil))
	}
	b.WriteString("\n")
	switch v.c.Status {
	case casework.Open:
		due := v.d.CreatedAt.Add(time.Duration(max(v.org.ResponseHours, 1)) * time.Hour)
		if left := due.Sub(v.now); left > 0 {
			line(t("desk_card_due", map[string]any{"Hours": v.org.ResponseHours, "Left": hours(left)}))
		} else {
			line(t("desk_card_overdue", map[string]any{"Hours": v.org.ResponseHours, "Over": hours(-left)}))
		}
	case casework.Taken:
		line(t("desk_card_assignee", map[string]any{"Name": escape(v.c.AssigneeName)}))
		if v.c.Asked {
			line(t("desk_card_asked", nil))
		}
	case casework.Resolved:
		line(t("desk_card_outcome", map[string]any{"Outcome": t("desk_outcome_"+string(v.c.Outcome), nil)}))
		if v.c.Feedback != "" {
			line(t("desk_card_feedback", map[string]any{"Feedback": t("desk_feedback_"+string(v.c.Feedback), nil)}))
		}
	case casework.Referred:
		line(t("desk_card_referred", map[string]any{"Name": escape(serviceName(v.dir, v.c.ReferredTo, v.lang))}))
	}
	if len(v.c.History) > 0 {
		// The newest lines that fit within Telegram's limit, counted with
		// the markup it does not count.
		heading := t("desk_card_history", nil)
		room := chat.MaxText - chat.UTF16Len(b.String()) - chat.UTF16Len(heading) - 1
		var lines []string
		for i := len(v.c.History) - 1; i >= 0 && len(lines) < historyShown; i-- {
			l := k.historyLine(v, v.c.History[i])
			if room -= chat.UTF16Len(l) + 1; room < 0 {
				break
			}
			lines = append(lines, l)
		}
		if len(lines) > 0 {
			line(heading)
			for i := len(lines) - 1; i >= 0; i-- {
				line(lines[i])
			}
		}
	}
	return strings.TrimSpace(b.String())
}

func (k *Desk) historyLine(v cardView, e casework.Entry) string {
	data := map[string]any{"At": stamp(e.At), "By": escape(e.By)}
	switch e.Event {
	case casework.EventTakenOver:
		data["From"] = escape(e.Detail)
	case casework.EventReferred, casework.EventConsentRefused:
		data["Name"] = escape(serviceName(v.dir, e.Detail, v.lang))
	case casework.EventResolved:
		data["Outcome"] = k.t(v.lang, "desk_outcome_"+e.Detail, nil)
	case casework.EventFeedback:
		data["Feedback"] = k.t(v.lang, "desk_feedback_"+e.Detail, nil)
	}
	return k.t(v.lang, "desk_event_"+string(e.Event), data)
}

// hours rounds a duration to whole hours, at least one.
func hours(d time.Duration) int { return max(1, int((d+30*time.Minute)/time.Hour)) }

func countryName(dir *directory.Directory, code, lang string, t func(string, map[string]any) string) string {
	if dir != nil {
		if c, ok := dir.Country(code); ok {
			return escape(c.Names.In(lang))
		}
	}
	if code == "" {
		return ""
	}
	return t("intake_country_"+strings.ToLower(code), nil)
}

// cardKeyboard is what can be done with the case in its state. Buttons
// share a row only where both labels read whole on a phone in the desk's
// language.
func (k *Desk) cardKeyboard(lang, caseID string, c casework.Case) *chat.Keyboard {
	btn := func(id, op string) chat.Button {
		return chat.Button{Text: k.t(lang, id, nil), Data: cardData(op, caseID, c.Revision)}
	}
	switch c.Status {
	case casework.Open:
		return &chat.Keyboard{Inline: chat.Reflow([][]chat.Button{
			{btn("desk_btn_take", opTake)},
			{btn("desk_btn_refer", opRefer), btn("desk_btn_not_ours", opNotOurs)},
		})}
	case casework.Taken:
		return &chat.Keyboard{Inline: chat.Reflow([][]chat.Button{
			{btn("desk_btn_ask", opAsk)},
			{btn("desk_btn_refer", opRefer), btn("desk_btn_resolve", opResolve)},
			{btn("desk_btn_take_over", opTakeOver), btn("desk_btn_not_ours", opNotOurs)},
		})}
	}
	return nil
}

// card renders the card of a delivery, reading what it shows.
func (k *Desk) card(tt *Turn, d store.Delivery, c casework.Case, org store.Org) (string, *chat.Keyboard, error) {
	cs, err := k.cfg.Store.CaseByID(tt.Ctx, d.CaseID)
	if err != nil {
		return "", nil, err
	}
	files := 0
	if cs.Details != nil {
		ev, err := k.cfg.Store.CaseEvidence(tt.Ctx, d.CaseID)
		if err != nil {
			return "", nil, err
		}
		files = len(ev)
	}
	v := cardView{lang: org.Language, caseID: d.CaseID, details: cs.Details, evidence: files, d: d, c: c, org: org,
		now: k.cfg.Now(), dir: tt.Dir, place: tt.PlaceName}
	return k.cardText(v), k.cardKeyboard(org.Language, d.CaseID, c), nil
}

// editCard is the reply that brings the card up to date.
func editCard(org store.Org, caseID, text string, kb *chat.Keyboard) chat.Reply {
	if kb == nil {
		// An edit without a keyboard removes the old buttons.
		kb = &chat.Keyboard{}
	}
	// Thread is for a card someone deleted: the sender then sends it anew,
	// into the case's topic while there is one.
	return chat.Reply{Action: chat.ActionEdit, ChatID: org.ChatID, Target: store.NameCard + caseID, Thread: store.NameTopic + caseID,
		Text: text, Keyboard: kb, Case: caseID}
}

// inThread places a reply in the case's topic (forum) and under its card.
func inThread(r chat.Reply, caseID string) chat.Reply {
	r.Thread = store.NameTopic + caseID
	r.ReplyTo = store.NameCard + caseID
	if r.Name == "" {
		r.Name = store.NameCase + caseID
	}
	if r.Case == "" {
		r.Case = caseID
	}
	return r
}

// Desk callback data: "v1:d:<op>:<case>:<revision>[:<arg>[:<arg>]]". Kept in
// one place, like the bot's own.
const (
	opTake       = "t"
	opTakeOver   = "to"
	opAsk        = "a"
	opRefer      = "f"
	opReferTo    = "ft"
	opReferWhy   = "fr"
	opResolve    = "r"
	opOutcome    = "ro"
	opNoNote     = "rn"
	opResolveYes = "ry"
	opNotOurs    = "n"
	opNotOursYes = "ny"
	opCancel     = "x"
	opLanguage   = "l"
	opMine       = "m" // the presser's own cases, under /cases
)

// caseOps are the ops that act on a case; the language and mine ops name
// none.
var caseOps = []string{opTake, opTakeOver, opAsk, opRefer, opReferTo, opReferWhy, opResolve, opOutcome, opNoNote,
	opResolveYes, opNotOurs, opNotOursYes, opCancel}

// CallbackFeature is the bot's callback namespace for the desk.
const CallbackFeature = "d"

func cardData(op, caseID string, rev int, args ...string) string {
	parts := append([]string{"v1", CallbackFeature, op, caseID, fmt.Sprint(rev)}, args...)
	return strings.Join(parts, ":")
}

type deskCallback struct {
	op       string
	caseID   string
	revision int
	args     []string
}

// parseDeskCallback reads the payload after "v1:d:"; anything malformed is
// refused as forged.
func parseDeskCallback(payload string) (deskCallback, bool) {
	parts := strings.Split(payload, ":")
	if parts[0] == opMine {
		if len(parts) != 1 {
			return deskCallback{}, false
		}
		return deskCallback{op: opMine}, true
	}
	if parts[0] == opLanguage {
		if len(parts) != 2 {
			return deskCallback{}, false
		}
		return deskCallback{op: opLanguage, args: parts[1:]}, true
	}
	if len(parts) < 3 || !slices.Contains(caseOps, parts[0]) || !store.ValidCaseID(parts[1]) {
		return deskCallback{}, false
	}
	var rev int
	if _, err := fmt.Sscanf(parts[2], "%d", &rev); err != nil || rev < 0 || fmt.Sprint(rev) != parts[2] {
		return deskCallback{}, false
	}
	return deskCallback{op: parts[0], caseID: parts[1], revision: rev, args: parts[3:]}, true
}
