package localapi

import "time"

// fullRights are a human administrator's or creator's rights.
var fullRights = AdminRights{ManageTopics: true, PinMessages: true, DeleteMessages: true}

func personRights(status string) AdminRights {
	if status == "creator" || status == "administrator" {
		return fullRights
	}
	return AdminRights{}
}

// memberWire is a ChatMember with the fields Telegram sends for its status
// and chat type (the Bot API's JsonChatMember).
func memberWire(ch *chat, u tgUser, status string, r AdminRights) tgChatMember {
	f := map[string]any{}
	switch status {
	case "creator":
		f["is_anonymous"] = false
	case "administrator":
		f["can_be_edited"] = false
		f["is_anonymous"] = false
		f["can_manage_chat"] = true
		f["can_change_info"] = false
		f["can_delete_messages"] = r.DeleteMessages
		f["can_invite_users"] = true
		f["can_restrict_members"] = false
		if ch.typ == "group" || ch.typ == "supergroup" {
			f["can_pin_messages"] = r.PinMessages
		}
		if ch.typ == "supergroup" {
			f["can_manage_topics"] = r.ManageTopics
		}
		for _, k := range []string{"can_promote_members", "can_manage_video_chats", "can_manage_voice_chats",
			"can_post_stories", "can_edit_stories", "can_delete_stories"} {
			f[k] = false
		}
	case "restricted":
		if ch.typ == "supergroup" {
			f["until_date"] = 0
			f["is_member"] = true
			for _, k := range []string{"can_send_messages", "can_send_media_messages", "can_send_audios",
				"can_send_documents", "can_send_photos", "can_send_videos", "can_send_video_notes",
				"can_send_voice_notes", "can_send_polls", "can_send_other_messages", "can_add_web_page_previews",
				"can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics"} {
				f[k] = false
			}
		}
	case "kicked":
		f["until_date"] = 0
	}
	return tgChatMember{User: u, Status: status, Fields: f}
}

func (s *Server) botMemberLocked(ch *chat, status string) tgChatMember {
	return memberWire(ch, s.bot, status, ch.botRights)
}

// setBotStatusLocked changes the bot's membership in a group and sends the
// bot its my_chat_member update.
func (s *Server) setBotStatusLocked(ch *chat, by tgUser, status string, rights AdminRights, now time.Time) {
	old := s.botMemberLocked(ch, ch.botStatus)
	ch.botStatus, ch.botRights = status, rights
	s.enqueueLocked(tgUpdate{MyChatMember: &tgChatMemberUpdated{
		Chat: ch.wire(), From: by, Date: now.Unix(), OldChatMember: old, NewChatMember: s.botMemberLocked(ch, status),
	}})
	s.touchLocked()
}

// setMemberLocked changes a person's membership. Telegram reports it as a
// chat_member update only to administrator bots that asked for it.
func (s *Server) setMemberLocked(ch *chat, by, u *User, status string) {
	oldStatus, ok := ch.members[u.id]
	if !ok {
		oldStatus = "left"
	}
	ch.members[u.id] = status
	if ch.botAdmin() {
		s.enqueueLocked(tgUpdate{ChatMember: &tgChatMemberUpdated{
			Chat: ch.wire(), From: by.wireLocked(), Date: s.now().Unix(),
			OldChatMember: memberWire(ch, u.wireLocked(), oldStatus, personRights(oldStatus)),
			NewChatMember: memberWire(ch, u.wireLocked(), status, personRights(status)),
		}})
	}
	s.touchLocked()
}

// canPost reports whether a member may write in the group at all.
func canPost(status string) bool {
	return status == "creator" || status == "administrator" || status == "member"
}
