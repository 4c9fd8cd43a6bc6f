package intake

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Step advances the conversation by one input. It never mutates s: the
// returned State is a new value the bot stores together with the rendered
// effects, in one transaction. An input that is not for the intake (a
// command it does not know, text while idle) returns s unchanged and no
// effects, so the bot can route it elsewhere.
func Step(s State, in Input, env Env, now time.Time) (State, []Effect) {
	if s.Version == 0 && s.Question == "" && s.Draft == nil {
		s.Version = CurrentVersion
	}
	if s.Validate() != nil {
		// A state this code cannot trust (corrupt, or from a buggy build)
		// must not trap the user: start clean but keep Seq so old buttons
		// still read as passed.
		s = State{Version: CurrentVersion, Seq: max(s.Seq, 0)}
	}
	// Telegram delivers valid UTF-8, but a stored state must stay valid
	// whatever a caller passes.
	in.Text = strings.ToValidUTF8(in.Text, "\uFFFD")
	st := &stepper{s: s.clone(), env: env.withDefaults(), now: now}
	switch in.Kind {
	case InputCommand:
		switch in.Command {
		case CommandStart:
			st.start()
		case CommandBack:
			if s.Question == "" {
				return s, nil
			}
			st.back()
		case CommandCancel:
			if s.Question == "" {
				return s, nil
			}
			st.cancel()
		default:
			return s, nil
		}
	case InputButton:
		if !st.button(in.Button) {
			return s, []Effect{Say{Message: "question_passed"}}
		}
	default:
		if s.Question == "" {
			return s, nil
		}
		st.answer(in)
	}
	if st.s.Draft != nil {
		st.s.Draft.UpdatedAt = now
	}
	return st.s, st.out
}

// Active reports whether a question awaits an answer, i.e. whether the bot
// should route the user's free text and files to Step.
func (s State) Active() bool { return s.Question != "" }

// HasDraft reports whether an unfinished complaint can be continued.
func (s State) HasDraft() bool { return s.Draft != nil && s.Draft.Consent }

func (env Env) withDefaults() Env {
	if env.MaxText <= 0 {
		env.MaxText = DefaultMaxText
	}
	if env.MaxShort <= 0 {
		env.MaxShort = DefaultMaxShort
	}
	env.MaxText = min(env.MaxText, maxStoredText)
	env.MaxShort = min(env.MaxShort, maxStoredShort)
	if env.RetentionMonths <= 0 {
		env.RetentionMonths = DefaultRetentionMonths
	}
	return env
}

type stepper struct {
	s   State
	env Env
	now time.Time
	out []Effect
}

func (st *stepper) emit(e Effect) { st.out = append(st.out, e) }

func (st *stepper) say(id string, data map[string]any) {
	st.emit(Say{Message: id, Data: data})
}

func (st *stepper) hideReply() {
	if st.s.ReplyShown {
		st.s.ReplyShown = false
		st.emit(HideReplyKeyboard{})
	}
}

// show emits the current question; replace > 0 edits that message instead.
func (st *stepper) show(a Ask, replace int) {
	if a.Reply == nil {
		st.hideReply()
	} else {
		st.s.ReplyShown = true
	}
	a.ReplaceSeq = replace
	st.emit(a)
}

// open asks q as a new question (new Seq) without touching History.
func (st *stepper) open(q QuestionID) {
	st.s.Question = q
	st.s.Seq++
	st.show(st.askFor(q), 0)
}

// forward moves on to q, remembering the current question for /back.
// Answers given from the review screen do not grow the history: /back there
// returns to the review.
func (st *stepper) forward(q QuestionID) {
	cur := st.s.Question
	if cur != "" && cur != QResume && !st.s.Editing && len(st.s.History) < maxHistory {
		st.s.History = append(st.s.History, cur)
	}
	st.open(q)
}

// reask explains why the answer was not accepted and repeats the question
// with the same Seq, so the buttons of the first copy keep working.
func (st *stepper) reask(reason string, data map[string]any) {
	if reason != "" {
		st.say(reason, data)
	}
	st.show(st.askFor(st.s.Question), 0)
}

// flow is the order of the question groups; each group may hold several
// questions (the place group asks, confirms and picks).
var flow = []QuestionID{
	QDanger, QConsent, QIdentity, QCategories, QPlace, QCitizenship,
	QSector, QEmployer, QSince, QDescription, QContact, QReview,
}

func groupOf(q QuestionID) QuestionID {
	switch q {
	case QDangerCountry:
		return QDanger
	case QPlaceStill, QPlaceMatch, QPlacePick:
		return QPlace
	case QCitizenshipStill:
		return QCitizenship
	case QName:
		return QIdentity
	case QPhone:
		return QContact
	}
	return q
}

// entry is the first question of a group. What the profile already knows is
// offered for confirmation, except when the user asked to change it.
func (st *stepper) entry(group QuestionID) QuestionID {
	switch group {
	case QPlace:
		if !st.s.Editing && st.env.Profile.City != "" {
			return QPlaceStill
		}
	case QCitizenship:
		if !st.s.Editing && st.env.Profile.Citizenship != "" {
			return QCitizenshipStill
		}
	}
	return group
}

// done moves past group: to the next group, or back to the review when the
// answer was an edit.
func (st *stepper) done(group QuestionID) {
	if st.s.Editing {
		st.s.Editing = false
		st.open(QReview)
		return
	}
	i := slices.Index(flow, group)
	st.forward(st.entry(flow[i+1]))
}

func (st *stepper) start() {
	if st.s.HasDraft() {
		if st.s.Question == QResume {
			st.reask("", nil)
			return
		}
		if st.s.Question != "" {
			st.s.ResumeAt = st.s.Question
		}
		st.open(QResume)
		return
	}
	st.fresh()
}

// fresh begins a new draft at the safety question.
func (st *stepper) fresh() {
	st.reset()
	st.s.Draft = &Draft{StartedAt: st.now, UpdatedAt: st.now}
	st.open(QDanger)
}

// reset forgets the draft and the conversation; Seq survives so that
// buttons of the forgotten questions still read as passed.
func (st *stepper) reset() {
	st.s = State{Version: CurrentVersion, Seq: st.s.Seq, ReplyShown: st.s.ReplyShown}
}

func (st *stepper) back() {
	switch {
	case st.s.Question == QResume:
		st.reask("intake_no_back", nil)
	case st.s.Editing && !st.s.Draft.complete():
		st.reask("intake_answer_needed", nil)
	case st.s.Editing:
		st.s.Editing = false
		st.open(QReview)
	case len(st.s.History) == 0:
		st.reask("intake_no_back", nil)
	default:
		last := len(st.s.History) - 1
		q := st.s.History[last]
		st.s.History = st.s.History[:last]
		if (q == QPlaceMatch || q == QPlacePick) && len(st.s.Candidates) == 0 {
			q = QPlace
		}
		if q == QName && st.s.Draft.Identity != IdentityShared {
			// The worker has since chosen to stay anonymous (from the
			// review): the name question no longer applies.
			q = QIdentity
			if n := len(st.s.History); n > 0 && st.s.History[n-1] == QIdentity {
				st.s.History = st.s.History[:n-1]
			}
		}
		st.open(q)
	}
}

func (st *stepper) cancel() {
	if !st.s.HasDraft() {
		st.reset()
		st.hideReply()
		st.emit(Left{Kept: false})
		st.emit(OfferMenu{})
		return
	}
	if st.s.Question != QResume {
		st.s.ResumeAt = st.s.Question
	}
	st.s.Question = ""
	st.hideReply()
	st.emit(Left{Kept: true})
	st.emit(OfferMenu{})
}

func (st *stepper) button(p string) bool {
	seq, code, value, ok := parsePayload(p)
	if !ok || st.s.Question == "" || seq != st.s.Seq || code != codeOf(st.s.Question) {
		return false
	}
	return st.choose(value)
}

func (st *stepper) answer(in Input) {
	q := st.s.Question
	switch in.Kind {
	case InputText:
		t := strings.TrimSpace(in.Text)
		if Blank(t) {
			st.reaskDefault()
			return
		}
		if q == QCategories {
			st.categoriesText(t)
			return
		}
		if v, ok := st.matchTyped(t); ok && st.choose(v) {
			return
		}
		if !st.freeText(t) {
			st.reaskDefault()
		}
	case InputLocation:
		if in.Location == nil || !st.location(*in.Location) {
			st.reaskDefault()
		}
	case InputContact:
		if in.Contact == nil || !st.contact(*in.Contact) {
			st.reaskDefault()
		}
	case InputFile:
		if q != QDescription {
			if in.File != nil && in.File.Kind == FileVoice {
				st.reask("intake_voice_not_now", nil)
				return
			}
			st.reask("intake_file_not_now", nil)
			return
		}
		if in.File == nil || !validFile(*in.File) {
			st.reask("intake_unsupported", nil)
			return
		}
		st.evidence(*in.File, strings.TrimSpace(in.Text))
	default:
		st.reask("intake_unsupported", nil)
	}
}

// reaskDefault repeats the question with the hint that fits its kind.
func (st *stepper) reaskDefault() {
	switch st.s.Question {
	case QPlace:
		st.reask("intake_place_reask", nil)
	case QPhone:
		st.reask("intake_phone_reask", nil)
	case QDescription:
		st.reask("intake_description_reask", nil)
	case QEmployer:
		st.reask("intake_employer_reask", nil)
	case QName:
		st.reask("intake_name_reask", nil)
	case QCategories:
		st.reask("intake_reask_categories", map[string]any{"Options": st.choices(Categories...)})
	default:
		a := st.askFor(st.s.Question)
		st.say("intake_reask_choose", map[string]any{"Options": choicesOf(a.Buttons)})
		st.show(a, 0)
	}
}

func (st *stepper) choices(cats ...Category) Choices {
	out := make(Choices, len(cats))
	for i, c := range cats {
		out[i] = Ref{ID: categoryLabel(c)}
	}
	return out
}

func choicesOf(rows [][]Button) Choices {
	var out Choices
	for _, row := range rows {
		for _, b := range row {
			out = append(out, Ref{ID: b.Label, Data: b.LabelData})
		}
	}
	return out
}

// numbered says whether typing an option's number selects it. Questions
// whose typed answer is itself free text ("1" could be a name) opt out.
func numbered(q QuestionID) bool {
	return q != QDescription && q != QEmployer && q != QName
}

// matchTyped finds the button a typed answer names: by its number, by its
// label in the user's language, by the first word of the label when no
// other label shares it ("Да" for "Да, мне грозит опасность"), or by the
// payload value ("yes").
func (st *stepper) matchTyped(t string) (string, bool) {
	a := st.askFor(st.s.Question)
	var buttons []Button
	for _, row := range a.Buttons {
		buttons = append(buttons, row...)
	}
	if len(buttons) == 0 {
		return "", false
	}
	if numbered(st.s.Question) {
		if n, ok := smallNumber(t); ok && n >= 1 && n <= len(buttons) {
			return valueOf(buttons[n-1].Payload), true
		}
	}
	typed := Fold(t)
	if typed == "" {
		return "", false
	}
	found, count := "", 0
	for _, b := range buttons {
		v := valueOf(b.Payload)
		if Fold(v) == typed {
			return v, true
		}
		if st.env.Label == nil || b.LabelData != nil {
			continue
		}
		label := st.env.Label(b.Label)
		if Fold(label) == typed {
			return v, true
		}
		if Fold(firstWord(label)) == typed {
			found, count = v, count+1
		}
	}
	if count == 1 {
		return found, true
	}
	return "", false
}

func valueOf(p string) string {
	_, _, v, _ := parsePayload(p)
	return v
}

func firstWord(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexFunc(s, func(r rune) bool { return r == ' ' || r == ',' }); i > 0 {
		return s[:i]
	}
	return s
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// Blank reports text that shows nothing: spaces, and the invisible
// characters a paste or a "send an empty message" trick produces
// (zero-width space and joiners, word joiner, BOM, Hangul fillers, Braille
// blank). TrimSpace keeps those, and taken as an answer they would be an
// employer, a story or a case message that reads as empty.
func Blank(s string) bool {
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), unicode.Is(unicode.Cf, r):
		case r == '\u115F', r == '\u1160', r == '\u3164', r == '\uFFA0', r == '\u2800':
		default:
			return false
		}
	}
	return true
}
