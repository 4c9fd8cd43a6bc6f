package localapi

import (
	"strings"
)

// storedFile is a file this server issued a file_id for. Every size of a
// photo points at the whole set, since sending any of them sends the photo.
type storedFile struct {
	kind  string // photo, document, voice, video, sticker, video_note
	photo []tgPhotoSize
	file  *tgFile
}

func (s *Server) newPhotoLocked(m *tgMessage, caption string) {
	for i, side := range []int{90, 320, 1280} {
		id, uniq := s.fileIDLocked("AgAC")
		m.Photo = append(m.Photo, tgPhotoSize{FileID: id, FileUniqueID: uniq, Width: side, Height: side * 3 / 4, FileSize: 1500 * (i*i*20 + 1)})
	}
	m.Caption = caption
}

func (s *Server) newDocumentLocked(m *tgMessage, name, mimeType, caption string) {
	id, uniq := s.fileIDLocked("BQAC")
	m.Document = &tgFile{FileID: id, FileUniqueID: uniq, FileName: name, MimeType: mimeType, FileSize: 48213}
	m.Caption = caption
}

func (s *Server) newStickerLocked(m *tgMessage) {
	id, uniq := s.fileIDLocked("CAAC")
	f := false
	m.Sticker = &tgFile{FileID: id, FileUniqueID: uniq, Width: 512, Height: 512, Emoji: "👍", SetName: "HotCherry", Type: "regular", IsAnimated: &f, IsVideo: &f, FileSize: 24000}
}

func (s *Server) newVoiceLocked(m *tgMessage) {
	id, uniq := s.fileIDLocked("AwAC")
	m.Voice = &tgFile{FileID: id, FileUniqueID: uniq, Duration: 4, MimeType: "audio/ogg", FileSize: 9800}
}

func (s *Server) newVideoLocked(m *tgMessage, caption string) {
	id, uniq := s.fileIDLocked("BAAC")
	m.Video = &tgFile{FileID: id, FileUniqueID: uniq, Width: 640, Height: 360, Duration: 12, MimeType: "video/mp4", FileSize: 820000}
	m.Caption = caption
}

// registerFilesLocked remembers the file ids a message carries so the bot
// can send them again by file_id.
func (s *Server) registerFilesLocked(m *tgMessage) {
	if s.files == nil {
		s.files = map[string]*storedFile{}
	}
	if len(m.Photo) > 0 {
		f := &storedFile{kind: "photo", photo: m.Photo}
		for _, p := range m.Photo {
			s.files[p.FileID] = f
		}
	}
	for kind, f := range map[string]*tgFile{"document": m.Document, "voice": m.Voice, "video": m.Video, "sticker": m.Sticker, "video_note": m.VideoNote} {
		if f != nil {
			s.files[f.FileID] = &storedFile{kind: kind, file: f}
		}
	}
}

// fileIDOf is the file id a message is known by: its only file, or the
// largest size of its photo.
func fileIDOf(m *tgMessage) string {
	switch {
	case len(m.Photo) > 0:
		return m.Photo[len(m.Photo)-1].FileID
	case m.Document != nil:
		return m.Document.FileID
	case m.Voice != nil:
		return m.Voice.FileID
	case m.Video != nil:
		return m.Video.FileID
	case m.Sticker != nil:
		return m.Sticker.FileID
	case m.VideoNote != nil:
		return m.VideoNote.FileID
	}
	return ""
}

// putFile sets a message's file of the given kind.
func putFile(m *tgMessage, f *storedFile) {
	switch f.kind {
	case "photo":
		m.Photo = append([]tgPhotoSize(nil), f.photo...)
	case "document":
		m.Document = f.file
	case "voice":
		m.Voice = f.file
	case "video":
		m.Video = f.file
	case "sticker":
		m.Sticker = f.file
	case "video_note":
		m.VideoNote = f.file
	}
}

func (s *Server) sendPhoto(c *call) (any, *APIError)    { return s.sendMedia(c, "photo") }
func (s *Server) sendDocument(c *call) (any, *APIError) { return s.sendMedia(c, "document") }
func (s *Server) sendVoice(c *call) (any, *APIError)    { return s.sendMedia(c, "voice") }

// sendMedia sends a file by a file_id this server issued, or uploaded in a
// multipart request. URLs are refused: this server cannot fetch them, and
// Telegram answers the same when it cannot.
func (s *Server) sendMedia(c *call, kind string) (any, *APIError) {
	raw, hasID := c.p.raw(kind)
	upload := c.p.uploads[kind]
	if strings.HasPrefix(raw, "attach://") {
		upload, hasID = c.p.uploads[strings.TrimPrefix(raw, "attach://")], false
	}
	if (!hasID || raw == "") && upload == "" {
		return nil, badRequest("there is no %s in the request", kind)
	}
	caption, aerr := captionOf(c)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.chatForSend(c)
	if aerr != nil {
		return nil, aerr
	}
	var f *storedFile
	if upload != "" {
		f = s.uploadLocked(kind, upload)
	} else if f = s.files[raw]; f == nil {
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	} else if f.kind != kind {
		return nil, badRequest("type of file mismatch")
	}
	r := &record{kind: kind}
	putFile(&r.wire, f)
	setCaption(r, caption, c.p.str("caption"), c.p.str("parse_mode"))
	if aerr := s.messageOptions(c, ch, r); aerr != nil {
		return nil, aerr
	}
	return s.storeBotMessageLocked(ch, r, c.now), nil
}

// uploadLocked issues a file id for a file uploaded with the request.
func (s *Server) uploadLocked(kind, name string) *storedFile {
	var m tgMessage
	switch kind {
	case "photo":
		s.newPhotoLocked(&m, "")
	case "voice":
		s.newVoiceLocked(&m)
	default:
		s.newDocumentLocked(&m, name, "application/octet-stream", "")
	}
	s.registerFilesLocked(&m)
	return s.files[fileIDOf(&m)]
}

// captionOf reads caption and parse_mode; nil means no caption parameter.
func captionOf(c *call) (*formatted, *APIError) {
	caption, ok := c.p.raw("caption")
	if !ok {
		return nil, nil
	}
	return formatCaption(caption, c.p.str("parse_mode"))
}

// setCaption sets a bot message's caption; raw is the caption as sent.
func setCaption(r *record, f *formatted, raw, parseMode string) {
	if f == nil {
		return
	}
	r.wire.Caption, r.wire.CaptionEntities = f.text, f.entities
	r.bot.Caption, r.bot.PlainCaption, r.bot.ParseMode = raw, f.text, parseMode
	if f.text == "" {
		r.bot.Caption, r.wire.CaptionEntities = "", nil
	}
}

// captioned kinds carry a caption a copy may replace.
var captioned = map[string]bool{"photo": true, "document": true, "voice": true, "video": true}

// copyable kinds are what copyMessage accepts; service messages are not.
var copyable = map[string]bool{"text": true, "photo": true, "document": true, "voice": true, "video": true,
	"sticker": true, "video_note": true, "location": true, "contact": true}

func (s *Server) copyMessage(c *call) (any, *APIError) {
	caption, aerr := captionOf(c)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.chatForSend(c)
	if aerr != nil {
		return nil, aerr
	}
	from, aerr := s.sourceChatLocked(c)
	if aerr != nil {
		return nil, aerr
	}
	id, ok := c.p.int64("message_id")
	if !ok {
		return nil, badRequest("message identifier is not specified")
	}
	src := from.live(int(id))
	if src == nil {
		return nil, badRequest("message to copy not found")
	}
	if !copyable[src.kind] {
		return nil, badRequest("message can't be copied")
	}
	r := copyContent(src)
	if caption != nil && captioned[r.kind] {
		setCaption(r, caption, c.p.str("caption"), c.p.str("parse_mode"))
	}
	if aerr := s.messageOptions(c, ch, r); aerr != nil {
		return nil, aerr
	}
	m := s.storeBotMessageLocked(ch, r, c.now)
	return map[string]int{"message_id": m.MessageID}, nil
}

// sourceChatLocked resolves from_chat_id, which the bot must be able to read.
func (s *Server) sourceChatLocked(c *call) (*chat, *APIError) {
	raw := strings.TrimSpace(c.p.str("from_chat_id"))
	if raw == "" {
		return nil, badRequest("parameter \"from_chat_id\" is required")
	}
	from := s.chatByIDString(raw)
	if from == nil || (from.typ == "private" && !from.started) {
		return nil, badRequest("chat not found")
	}
	if from.typ == "supergroup" {
		switch from.botStatus {
		case "kicked":
			return nil, &APIError{Code: 403, Description: "Forbidden: bot was kicked from the supergroup chat"}
		case "left", "":
			return nil, &APIError{Code: 403, Description: "Forbidden: bot is not a member of the supergroup chat"}
		}
	}
	return from, nil
}

// copyContent is the content of src as a new bot message: text, media,
// caption; not its keyboard, reply or forward origin.
func copyContent(src *record) *record {
	r := &record{kind: src.kind}
	if src.fromBot {
		r.bot.Text, r.bot.PlainText, r.bot.ParseMode = src.bot.Text, src.bot.PlainText, src.bot.ParseMode
		r.bot.Entities, r.nodes = append([]Entity(nil), src.bot.Entities...), src.nodes
		r.bot.Caption, r.bot.PlainCaption = src.bot.Caption, src.bot.PlainCaption
		if src.bot.Location != nil {
			loc := *src.bot.Location
			r.bot.Location = &loc
		}
	} else {
		w := &src.wire
		r.bot.Text, r.bot.PlainText, r.bot.Entities = w.Text, w.Text, append([]Entity(nil), w.Entities...)
		if w.Text != "" {
			r.nodes = []*Node{{Text: w.Text}}
		}
		r.bot.Caption, r.bot.PlainCaption = w.Caption, w.Caption
		if w.Location != nil {
			loc := *w.Location
			r.bot.Location = &loc
		}
	}
	w := &src.wire
	r.wire = tgMessage{Photo: w.Photo, Document: w.Document, Voice: w.Voice, Video: w.Video, Sticker: w.Sticker,
		VideoNote: w.VideoNote, Contact: w.Contact, Caption: w.Caption, CaptionEntities: w.CaptionEntities}
	return r
}
