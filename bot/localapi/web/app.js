// The sandbox page: a worker's phone and an organisation's group side by
// side, talking to the bot through the local Bot API, and (under
// "rightsdesk demo") the editors' preview. Bot messages arrive as a parsed
// node tree and are rebuilt from a whitelist of elements with textContent
// only: no innerHTML anywhere.
"use strict";

const LANGS = [
  ["az", "Azərbaycanca"], ["ru", "Русский"], ["ka", "ქართული"],
  ["ro", "Română"], ["kk", "Қазақша"], ["en", "English"],
];
const CITIES = [
  ["Baku", 40.4093, 49.8671], ["Tbilisi", 41.7151, 44.8271], ["Chișinău", 47.0105, 28.8638],
  ["Almaty", 43.2389, 76.8897], ["Astana", 51.1694, 71.4491], ["Moscow", 55.7558, 37.6173],
  ["Saint Petersburg", 59.9311, 30.3609], ["Istanbul", 41.0082, 28.9784], ["Ankara", 39.9334, 32.8597],
  ["Warsaw", 52.2297, 21.0122],
];
const MEDIA_LABELS = {
  photo: "🖼 Photo", document: "📄 Document", sticker: "🙂 Sticker", voice: "🎤 Voice message",
  video_note: "⏺ Video message", contact: "👤 Contact", location: "📍 Location", video: "🎬 Video",
};
const SERVICE_TEXT = {
  forum_topic_created: (m) => `created the topic “${m.topic || ""}”`,
  forum_topic_edited: (m) => `renamed the topic to “${m.topic || ""}”`,
  forum_topic_closed: () => "closed the topic",
  forum_topic_reopened: () => "reopened the topic",
  pinned_message: () => "pinned a message",
  left_chat_member: () => "left the group",
  migrate_to_chat_id: () => "upgraded the group to a supergroup",
  migrate_from_chat_id: () => "upgraded the group to a supergroup",
};
const SAFE_SCHEMES = ["http:", "https:", "tg:", "mailto:"];

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const langName = (code) => (LANGS.find(([c]) => c === code) || [code, code || "—"])[1];

// What this browser tab looks at; other tabs keep their own.
const ui = Object.assign({
  session: "", worker: 0, group: 0, speaker: 0, thread: 0, view: "worker",
  previewTopic: "", previewLang: "", previewWork: "",
}, JSON.parse(sessionStorage.getItem("sandbox") || "{}"));
const save = () => sessionStorage.setItem("sandbox", JSON.stringify(ui));

let data = null;     // the last state
let version = 0;     // its version, for the long poll
let pollCtrl = null; // the running long poll
let pollChats = "";  // the chats it asks for
let adding = false;  // the new-worker form is open
let demo = null;     // what "rightsdesk demo" adds, when it serves the page

async function api(path, body) {
  const res = await fetch("/ui/api/" + path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}

function wantedChats() { return [ui.worker, ui.group].filter(Boolean).join(","); }

function restartPoll() {
  if (pollCtrl) pollCtrl.abort();
  version = 0;
  poll();
}

async function poll() {
  const ctrl = new AbortController();
  pollCtrl = ctrl;
  pollChats = wantedChats();
  while (pollCtrl === ctrl) {
    try {
      const q = new URLSearchParams({ since: version, user: ui.worker });
      for (const c of pollChats.split(",").filter(Boolean)) q.append("chat", c);
      const res = await fetch("/ui/api/state?" + q, { signal: ctrl.signal });
      if (!res.ok) throw new Error(res.statusText);
      const d = await res.json(); // a server closed by a reset answers nothing
      if (pollCtrl !== ctrl) return;
      version = d.version;
      render(d);
    } catch (e) {
      if (ctrl.signal.aborted) return;
      await sleep(700);
    }
  }
}

// The workers are the people who are in no group.
function workers(d) {
  const inGroup = new Set(d.groups.flatMap((g) => g.members));
  return d.users.filter((u) => !inGroup.has(u.id));
}

function render(d) {
  if (d.session !== ui.session) {
    // A new local Telegram (a reset, here or in another tab): the ids
    // this tab kept belong to the old one.
    Object.assign(ui, { session: d.session, worker: 0, group: 0, speaker: 0, thread: 0 });
    panes.worker.forget();
    panes.group.forget();
  }
  data = d;
  const ws = workers(d);
  if (!ws.some((u) => u.id === ui.worker)) ui.worker = ws.length ? ws[ws.length - 1].id : 0;
  if (!d.groups.some((g) => g.id === ui.group)) ui.group = d.groups.length ? d.groups[0].id : 0;
  const g = d.groups.find((x) => x.id === ui.group);
  if (g && !g.members.includes(ui.speaker)) ui.speaker = g.members[0] || 0;
  save();
  if (wantedChats() !== pollChats) {
    restartPoll();
    return;
  }
  renderWorkerHead(d, ws);
  renderGroupHead(d, g);
  panes.worker.render(d.chats.find((c) => c.id === ui.worker) || null);
  panes.group.render(d.chats.find((c) => c.id === ui.group) || null);
  renderNav();
}

// --- chat panes ---------------------------------------------------------

class ChatPane {
  constructor(section, kind) {
    this.kind = kind;
    this.root = section;
    const frag = $("chatTpl").content.cloneNode(true);
    this.part = {};
    for (const e of frag.querySelectorAll("[data-part]")) this.part[e.dataset.part] = e;
    section.append(frag);
    for (const b of this.part.attachMenu.querySelectorAll(".private-only")) b.hidden = kind !== "worker";
    this.forget();
    this.wire();
  }

  forget() {
    this.rows = new Map(); // message id → {sig, row}
    this.part.messages.replaceChildren();
    this.seen = new Set();
    this.primed = false;
    this.scrolled = false;
    this.lastId = 0;
    this.chat = null;
    this.kbHidden = false;
    this.setBanner(null, "");
  }

  get user() { return this.kind === "worker" ? ui.worker : ui.speaker; }
  get chatId() { return this.kind === "worker" ? ui.worker : ui.group; }
  get thread() { return this.kind === "group" ? ui.thread : 0; }

  wire() {
    const p = this.part;
    p.form.onsubmit = (ev) => {
      ev.preventDefault();
      const text = p.input.value;
      if (!text.trim()) return;
      p.input.value = "";
      p.input.style.height = "";
      this.send(text);
    };
    p.input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey) {
        ev.preventDefault();
        p.form.requestSubmit();
      } else if (ev.key === "Escape") {
        this.setBanner(null, "");
        this.closeMenus();
      } else if (ev.key === "ArrowUp" && !p.input.value) {
        const mine = this.chat && this.chat.messages.filter((m) => m.sender_id === this.user && m.kind === "text" && !m.deleted);
        if (mine && mine.length) {
          ev.preventDefault();
          this.edit(mine[mine.length - 1]);
        }
      }
    });
    p.input.addEventListener("input", () => {
      p.input.style.height = "";
      p.input.style.height = Math.min(p.input.scrollHeight, 120) + "px";
    });
    p.bannerCancel.onclick = () => { this.setBanner(null, ""); p.input.focus(); };
    p.cmdBtn.onclick = () => this.toggle(p.commands);
    p.attachBtn.onclick = () => this.toggle(p.attachMenu);
    p.attachMenu.onclick = (ev) => {
      const kind = ev.target.closest("[data-media]") && ev.target.closest("[data-media]").dataset.media;
      this.closeMenus();
      if (kind) this.attach(kind);
    };
    p.kbToggle.onclick = () => { this.kbHidden = !this.kbHidden; this.render(this.chat); };
    p.start.onclick = () => {
      if (this.chat && this.chat.blocked) return api("block", { user: this.user, blocked: false }).catch((e) => toast(e.message, this.root));
      return this.send("/start");
    };
    p.pinnedBtn.onclick = () => {
      const pins = this.chat ? this.chat.pins : [];
      if (pins.length) this.jump(pins[pins.length - 1]);
    };
  }

  toggle(menu) {
    const open = menu.hidden;
    this.closeMenus();
    menu.hidden = !open;
    if (open) {
      const first = menu.querySelector("button:not([hidden])");
      if (first) first.focus();
    }
  }

  closeMenus() {
    this.part.commands.hidden = true;
    this.part.attachMenu.hidden = true;
  }

  // banner shows what the next message does: reply to a message, or edit one.
  setBanner(mode, label, m) {
    this.mode = mode;
    this.target = m || null;
    this.part.banner.hidden = !mode;
    this.part.bannerText.textContent = label;
  }

  reply(m) {
    this.setBanner("reply", "↩ Reply to " + senderOf(m) + ": " + preview(m), m);
    this.part.input.focus();
  }

  edit(m) {
    this.setBanner("edit", "✎ Edit: " + preview(m), m);
    this.part.input.value = m.text || "";
    this.part.input.focus();
  }

  async send(text) {
    const mode = this.mode, target = this.target;
    this.setBanner(null, "");
    try {
      if (mode === "edit") {
        await api("edit", { user: this.user, chat: this.chatId, message_id: target.id, text });
        return;
      }
      const body = { user: this.user, chat: this.chatId, text, thread: this.thread };
      if (mode === "reply") body.message_id = target.id;
      await api("send", body);
    } catch (e) {
      toast(e.message, this.root);
    }
  }

  async attach(kind) {
    if (kind === "location") return askLocation(this.user);
    if (kind === "contact") return askContact(this.user);
    const caption = this.part.input.value;
    this.part.input.value = "";
    const body = { user: this.user, chat: this.chatId, kind, caption, thread: this.thread };
    if (this.mode === "reply") body.message_id = this.target.id;
    this.setBanner(null, "");
    try { await api("media", body); } catch (e) { toast(e.message, this.root); }
  }

  jump(id) {
    const entry = this.rows.get(id);
    if (!entry) return toast("That message is not shown here", this.root);
    entry.row.scrollIntoView({ block: "center" });
    entry.row.classList.remove("flash");
    void entry.row.offsetWidth;
    entry.row.classList.add("flash");
  }

  render(chat) {
    this.chat = chat;
    this.root.classList.toggle("empty", !chat);
    if (!chat) {
      this.part.messages.replaceChildren();
      this.rows = new Map();
      return;
    }
    // A reader at the bottom stays there, also when the keyboard below
    // the field grows or shrinks; one who scrolled up is left in peace.
    const box = this.part.scroller;
    const stick = !this.scrolled || box.scrollHeight - box.scrollTop - box.clientHeight < 120;
    this.renderTopics(chat);
    this.renderPinned(chat);
    this.renderMessages(chat);
    this.renderComposer();
    if (stick) box.scrollTop = box.scrollHeight;
    this.scrolled = true;
    this.renderAnswers(chat.answers);
  }

  visible(m) {
    return !this.thread || m.thread === this.thread;
  }

  renderTopics(chat) {
    const bar = this.part.topics;
    bar.hidden = !chat.forum;
    if (!chat.forum) return;
    if (ui.thread && !chat.topics.some((t) => t.id === ui.thread)) ui.thread = 0;
    const sig = JSON.stringify([chat.topics, ui.thread]);
    if (bar.dataset.sig === sig) return;
    bar.dataset.sig = sig;
    bar.replaceChildren();
    const add = (id, label) => {
      const b = el("button", id === ui.thread ? "active" : "", label);
      b.type = "button";
      b.setAttribute("aria-pressed", String(id === ui.thread));
      b.onclick = () => { ui.thread = id; save(); this.rows = new Map(); this.part.messages.replaceChildren(); this.render(this.chat); };
      bar.append(b);
    };
    add(0, "All messages");
    for (const t of chat.topics) add(t.id, (t.closed ? "🔒 " : "# ") + t.name);
  }

  renderPinned(chat) {
    const pins = chat.pins || [];
    this.part.pinned.hidden = !pins.length;
    if (!pins.length) return;
    const m = chat.messages.find((x) => x.id === pins[pins.length - 1]);
    this.part.pinnedText.textContent = m ? preview(m) : "";
  }

  renderMessages(chat) {
    const list = this.part.messages;
    const byId = new Map(chat.messages.map((m) => [m.id, m]));
    const keep = new Map();
    const rows = [];
    for (const m of chat.messages) {
      if (!this.visible(m)) continue;
      const quoted = m.reply_to ? byId.get(m.reply_to) : null;
      const sig = JSON.stringify([m, quoted ? senderOf(quoted) + preview(quoted) : "", this.user]);
      let entry = this.rows.get(m.id);
      if (!entry || entry.sig !== sig) {
        const row = this.renderMessage(m, quoted);
        if (entry) {
          const focused = entry.row.contains(document.activeElement) && document.activeElement.dataset.key;
          entry.row.replaceWith(row);
          const again = focused && row.querySelector(`[data-key="${focused}"]`);
          if (again) again.focus({ preventScroll: true });
        }
        entry = { sig, row };
      }
      keep.set(m.id, entry);
      rows.push(entry.row);
    }
    for (const [id, e] of this.rows) if (!keep.has(id)) e.row.remove();
    rows.forEach((row, i) => {
      if (list.children[i] !== row) list.insertBefore(row, list.children[i] || null);
    });
    this.rows = keep;
    const last = chat.messages.length ? chat.messages[chat.messages.length - 1].id : 0;
    if (last > this.lastId && this.lastId && !isShown(this.root)) navDot(this.kind, true);
    this.lastId = last;
  }

  renderMessage(m, quoted) {
    if (m.kind === "service") {
      const row = el("div", "row service");
      row.dataset.id = m.id;
      const say = SERVICE_TEXT[m.service];
      const what = say ? say(m) : `added ${(m.new_members || []).join(", ")}`;
      row.append(el("div", "service-pill", `${m.sender_name || "Someone"} ${what}`));
      return row;
    }
    const out = !m.from_bot && m.sender_id === this.user;
    const row = el("div", "row " + (out ? "out" : "in") + (m.deleted ? " deleted" : ""));
    row.dataset.id = m.id;
    row.dataset.from = m.from_bot ? "bot" : out ? "me" : "person";
    const bubble = el("div", "bubble");
    if (this.kind === "group" && !out) bubble.append(el("div", "sender", senderOf(m)));
    if (m.topic && !this.thread) bubble.append(el("div", "topic-label", "# " + m.topic));
    if (m.forwarded) bubble.append(el("div", "forwarded", "Forwarded message"));
    if (m.reply_to) {
      const q = el("button", "reply-quote");
      q.type = "button";
      q.tabIndex = -1;
      q.title = "Show the message replied to";
      q.append(el("b", "", quoted ? senderOf(quoted) : "Deleted message"), el("span", "", quoted ? preview(quoted) : ""));
      q.onclick = () => this.jump(m.reply_to);
      bubble.append(q);
    }
    bubble.append(messageBody(m));
    const meta = el("span", "meta");
    if (m.pinned) meta.append(el("span", "pin", "📌"));
    if (m.edited && !m.deleted) meta.append(el("span", "edited", "edited"));
    meta.append(document.createTextNode(timeOf(m.date) + (out ? " ✓✓" : "")));
    bubble.append(meta);
    row.append(bubble);
    if (!m.deleted) {
      const actions = el("div", "msg-actions");
      const r = el("button", "reply-btn", "↩");
      r.type = "button";
      r.dataset.key = "reply";
      r.title = r.ariaLabel = "Reply to this message";
      r.onclick = () => this.reply(m);
      actions.append(r);
      if (out && m.kind === "text") {
        const e = el("button", "reply-btn", "✎");
        e.type = "button";
        e.dataset.key = "edit";
        e.title = e.ariaLabel = "Edit this message";
        e.onclick = () => this.edit(m);
        actions.append(e);
      }
      row.append(actions);
    }
    if (m.inline && m.inline.length && !m.deleted) row.append(this.renderInline(m));
    return row;
  }

  renderInline(m) {
    const kb = el("div", "inline-kb");
    m.inline.forEach((buttons, r) => {
      const rowEl = el("div", "inline-row");
      buttons.forEach((b, c) => {
        if (b.url) {
          rowEl.append(linkButton(b));
          return;
        }
        const btn = el("button", "", b.text);
        btn.type = "button";
        btn.dataset.key = `b${r}-${c}`;
        btn.onclick = async () => {
          btn.classList.add("pending");
          try {
            await api("press", { user: this.user, chat: this.chatId, message_id: m.id, row: r, col: c });
          } catch (e) {
            toast(e.message, this.root);
          }
          setTimeout(() => btn.classList.remove("pending"), 1500);
        };
        rowEl.append(btn);
      });
      kb.append(rowEl);
    });
    return kb;
  }

  renderComposer() {
    const p = this.part, chat = this.chat;
    const worker = this.kind === "worker";
    const started = chat.messages.some((m) => m.sender_id === this.user || m.from_bot);
    p.start.hidden = !worker || (started && !chat.blocked);
    p.start.textContent = chat.blocked ? "RESTART BOT" : "START";
    p.form.hidden = !p.start.hidden;
    p.cmdBtn.hidden = !worker || !data.commands.length;
    const kb = worker ? chat.reply_keyboard || [] : [];
    p.kbToggle.hidden = !kb.length;
    p.replyKb.hidden = !kb.length || this.kbHidden;
    const sig = JSON.stringify(kb);
    if (p.replyKb.dataset.sig !== sig) {
      p.replyKb.dataset.sig = sig;
      p.replyKb.replaceChildren();
      for (const row of kb) {
        const r = el("div", "kb-row");
        for (const b of row) {
          const btn = el("button", "", b.text);
          if (b.request_location) btn.title = "Shares a location: pick a city or type coordinates";
          if (b.request_contact) btn.title = "Shares this worker's phone number";
          btn.type = "button";
          btn.onclick = () => {
            if (b.request_location) return askLocation(this.user);
            if (b.request_contact) return askContact(this.user);
            return this.send(b.text);
          };
          r.append(btn);
        }
        p.replyKb.append(r);
      }
    }
    const cmds = JSON.stringify(data.commands);
    if (p.commands.dataset.sig !== cmds) {
      p.commands.dataset.sig = cmds;
      p.commands.replaceChildren();
      for (const c of data.commands) {
        const b = el("button");
        b.type = "button";
        b.append(el("b", "", "/" + c.command), el("span", "", c.description));
        b.onclick = () => { this.closeMenus(); this.send("/" + c.command); };
        p.commands.append(b);
      }
    }
  }

  renderAnswers(answers) {
    for (const a of answers) {
      if (this.seen.has(a.query_id)) continue;
      this.seen.add(a.query_id);
      if (!this.primed || !a.text) continue;
      if (a.show_alert) showDialog("RightsDesk", [el("p", "", a.text)], false);
      else toast(a.text, this.root);
    }
    this.primed = true;
  }
}

function senderOf(m) {
  if (m.from_bot) return data ? data.bot.first_name : "Bot";
  return m.sender_name || "";
}

function timeOf(unix) {
  return new Date(unix * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function preview(m) {
  if (!m) return "";
  if (m.deleted) return "Deleted message";
  if (m.text) return m.text;
  if (m.nodes && m.nodes.length) return plain(m.nodes);
  if (m.caption) return (MEDIA_LABELS[m.kind] || m.kind) + " · " + m.caption;
  return MEDIA_LABELS[m.kind] || m.kind;
}

function plain(nodes) {
  return nodes.map((n) => (n.text || "") + (n.children ? plain(n.children) : "")).join("");
}

function cityAt(loc) {
  const c = CITIES.find(([, la, lo]) => Math.abs(la - loc.latitude) < 0.01 && Math.abs(lo - loc.longitude) < 0.01);
  return c ? c[0] : "";
}

function messageBody(m) {
  const body = el("div", "text");
  if (m.deleted) {
    body.classList.add("deleted-text");
    body.textContent = "🗑 " + (m.from_bot ? "Message deleted by the bot" : "Message deleted");
    return body;
  }
  if (m.from_bot && m.kind === "text" && m.nodes) {
    renderNodes(m.nodes, body);
    return body;
  }
  if (m.location) {
    const card = el("div", "map-card");
    const city = cityAt(m.location);
    card.append(el("span", "map-pin", "📍"),
      el("span", "", (city ? city + " · " : "") + `${m.location.latitude.toFixed(4)}, ${m.location.longitude.toFixed(4)}`));
    body.append(card);
    return body;
  }
  if (m.contact) {
    body.append(el("div", "media contact", `👤 ${m.contact.first_name} · +${m.contact.phone_number}`));
    return body;
  }
  if (m.kind !== "text") {
    const media = el("div", "media " + m.kind, MEDIA_LABELS[m.kind] || m.kind);
    if (m.file_name) media.append(el("span", "file-name", " " + m.file_name));
    body.append(media);
    if (m.caption) body.append(el("div", "caption", m.caption));
    return body;
  }
  body.textContent = m.text || "";
  return body;
}

// messageInGroup is the message a t.me/c/<id>/<message> link names, when
// it is one of the group shown; 0 otherwise. A supergroup's id is -100
// followed by the link's id.
function messageInGroup(href) {
  const m = /^https:\/\/t\.me\/c\/(\d+)\/(\d+)$/.exec(href || "");
  if (!m || -(1e12 + Number(m[1])) !== ui.group) return 0;
  return Number(m[2]);
}

// openGroupMessage shows every topic if the message is in another one,
// then scrolls to it.
function openGroupMessage(id) {
  const pane = panes.group;
  const msg = pane.chat && pane.chat.messages.find((m) => m.id === id);
  if (msg && !pane.visible(msg)) {
    ui.thread = 0;
    save();
    pane.rows = new Map();
    pane.part.messages.replaceChildren();
    pane.render(pane.chat);
  }
  pane.jump(id);
}

function renderNodes(nodes, parent) {
  for (const n of nodes) {
    if (!n.tag) {
      parent.append(document.createTextNode(n.text || ""));
      continue;
    }
    let e;
    switch (n.tag) {
      case "b": e = el("strong"); break;
      case "i": e = el("em"); break;
      case "u": e = el("u"); break;
      case "s": e = el("s"); break;
      case "code": e = el("code"); break;
      case "pre": e = el("pre"); break;
      case "tg-spoiler":
        e = el("span", "spoiler");
        e.onclick = () => e.classList.add("revealed");
        break;
      case "blockquote":
        e = el("blockquote", n.expandable ? "expandable collapsed" : "");
        if (n.expandable) e.onclick = () => e.classList.toggle("collapsed");
        break;
      case "a": {
        let ok = false;
        try { ok = SAFE_SCHEMES.includes(new URL(n.href).protocol); } catch (_) { ok = false; }
        const here = messageInGroup(n.href);
        if (here) {
          // A member's link to a message of this group opens it here, as a
          // client would, not a page of t.me that needs the internet.
          e = el("a", "message-link");
          e.href = "#";
          e.title = n.href;
          e.onclick = (ev) => { ev.preventDefault(); openGroupMessage(here); };
        } else if (ok) {
          e = el("a");
          e.href = n.href;
          e.target = "_blank";
          e.rel = "noopener noreferrer";
          e.title = n.href;
        } else {
          e = el("span");
        }
        break;
      }
      default: e = el("span"); // tg-emoji shows its fallback emoji text
    }
    if (n.children) renderNodes(n.children, e);
    parent.append(e);
  }
}

function linkButton(b) {
  const a = el("a", "url-btn", b.text + " ↗");
  try {
    if (SAFE_SCHEMES.includes(new URL(b.url).protocol)) a.href = b.url;
  } catch (_) { /* leave it without href */ }
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  return a;
}

// --- heads, tabs and views ----------------------------------------------

function renderWorkerHead(d, ws) {
  const tabs = $("workerTabs");
  const sig = JSON.stringify([ws, ui.worker, adding]);
  if (tabs.dataset.sig !== sig) {
    tabs.dataset.sig = sig;
    const focused = tabs.contains(document.activeElement) && document.activeElement.dataset.key;
    tabs.replaceChildren();
    for (const u of ws) {
      const b = el("button", "tab", `${u.name} · ${u.lang || "—"}`);
      b.type = "button";
      b.setAttribute("role", "tab");
      b.dataset.key = "w" + u.id;
      b.setAttribute("aria-selected", String(u.id === ui.worker && !adding));
      b.onclick = () => { adding = false; selectWorker(u.id); };
      tabs.append(b);
    }
    const add = el("button", "tab add", "+ Worker");
    add.type = "button";
    add.dataset.key = "add";
    add.id = "addWorker";
    add.setAttribute("aria-selected", String(adding || !ws.length));
    add.onclick = () => openNewWorker();
    tabs.append(add);
    const again = focused && tabs.querySelector(`[data-key="${focused}"]`);
    if (again) again.focus();
  }
  const me = ws.find((u) => u.id === ui.worker);
  const form = !me || adding;
  $("workerPane").classList.toggle("adding", form);
  $("newWorker").hidden = !form;
  $("workerCancel").hidden = !me;
  const chat = d.chats.find((c) => c.id === ui.worker);
  $("workerSub").textContent = me
    ? `bot · you are ${me.name} · Telegram in ${langName(me.lang)}${chat && chat.blocked ? " · blocked" : ""}`
    : "bot";
  if (me && document.activeElement !== $("workerLang")) $("workerLang").value = me.lang;
  $("blockBtn").textContent = chat && chat.blocked ? "▶" : "⛔";
  $("blockBtn").title = chat && chat.blocked ? "Restart the bot" : "Block the bot";
}

function renderGroupHead(d, g) {
  const sel = $("groupSelect");
  const sig = JSON.stringify(d.groups.map((x) => [x.id, x.title]));
  if (sel.dataset.sig !== sig) {
    sel.dataset.sig = sig;
    sel.replaceChildren(...d.groups.map((x) => { const o = el("option", "", x.title); o.value = x.id; return o; }));
  }
  sel.value = ui.group;
  const speakers = g ? g.members.map((id) => d.users.find((u) => u.id === id)).filter(Boolean) : [];
  const ssel = $("speakerSelect");
  const ssig = JSON.stringify(speakers);
  if (ssel.dataset.sig !== ssig) {
    ssel.dataset.sig = ssig;
    ssel.replaceChildren(...speakers.map((u) => { const o = el("option", "", u.name); o.value = u.id; return o; }));
  }
  ssel.value = ui.speaker;
  const chat = d.chats.find((c) => c.id === ui.group);
  $("groupSub").textContent = !g ? "no group yet"
    : `${g.forum ? "forum" : "group"} · ${g.members.length} member${g.members.length === 1 ? "" : "s"} · bot ${chat ? chat.bot_status : "?"}`;
  $("groupHint").textContent = g && g.forum
    ? "Each case has its topic. Write in a topic, or press ↩ on a message to answer it."
    : "Press ↩ on a message of the bot to write in that case: your reply goes to the worker.";
}

function selectWorker(id) {
  ui.worker = id;
  save();
  panes.worker.forget();
  restartPoll();
}

function openNewWorker() {
  adding = true;
  if (data) render(data);
  $("workerName").focus();
}

function isShown(section) {
  return section.offsetParent !== null && getComputedStyle(section).display !== "none";
}

function navDot(kind, on) {
  const b = kind === "worker" ? $("viewWorker") : $("viewGroup");
  b.querySelector(".dot").hidden = !on;
}

function setView(v) {
  ui.view = v;
  save();
  renderNav();
  if (v === "preview") loadPreview(true);
}

function renderNav() {
  document.body.dataset.view = ui.view;
  for (const b of document.querySelectorAll(".views button")) {
    b.setAttribute("aria-pressed", String(b.dataset.view === ui.view));
  }
  $("previewPane").hidden = ui.view !== "preview";
  if (isShown($("workerPane"))) navDot("worker", false);
  if (isShown($("groupPane"))) navDot("group", false);
}

// --- dialogs ------------------------------------------------------------

let toastTimer = 0;
// A toast shows over the pane it is about, as Telegram shows a button's
// answer over its own chat; with no pane, over the page.
function toast(text, over) {
  const t = $("toast");
  t.textContent = text;
  const r = over && isShown(over) ? over.getBoundingClientRect() : null;
  t.style.left = r ? `${r.left + r.width / 2}px` : "";
  t.style.top = r ? `${r.top + 60}px` : "";
  t.style.maxWidth = r ? `${Math.round(r.width * 0.9)}px` : "";
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 3000);
}

function showDialog(title, nodes, cancellable) {
  return new Promise((resolve) => {
    const d = $("dialog");
    if (d.open) {
      toast(nodes.map((n) => n.textContent).join(" ") || title);
      resolve(false);
      return;
    }
    $("dialogTitle").textContent = title;
    $("dialogBody").replaceChildren(...nodes);
    $("dialogCancel").hidden = !cancellable;
    d.onclose = () => resolve(d.returnValue === "ok");
    d.returnValue = "";
    d.showModal();
  });
}

function langSelect(select, value) {
  select.replaceChildren(...LANGS.map(([code, name]) => { const o = el("option", "", `${name} (${code})`); o.value = code; return o; }));
  select.value = value || "en";
  return select;
}

async function askLocation(user) {
  const lat = el("input"), lon = el("input");
  lat.inputMode = lon.inputMode = "decimal";
  lat.ariaLabel = lat.placeholder = "latitude";
  lon.ariaLabel = lon.placeholder = "longitude";
  const city = el("select");
  city.ariaLabel = "City";
  city.id = "locationCity";
  city.append(...CITIES.map(([name]) => { const o = el("option", "", name); o.value = name; return o; }));
  const put = () => { const c = CITIES.find(([n]) => n === city.value); lat.value = c[1]; lon.value = c[2]; };
  city.onchange = put;
  put();
  const coords = el("div", "coords");
  coords.append(lat, lon);
  const ok = await showDialog("Share location", [el("p", "muted", "Pick a city, or type coordinates."), city, coords], true);
  if (!ok) return;
  const la = parseFloat(lat.value), lo = parseFloat(lon.value);
  if (!isFinite(la) || !isFinite(lo) || Math.abs(la) > 90 || Math.abs(lo) > 180) return toast("Invalid coordinates", $("workerPane"));
  try { await api("location", { user, lat: la, lon: lo }); } catch (e) { toast(e.message, $("workerPane")); }
}

async function askContact(user) {
  const ok = await showDialog("Share your phone number?", [el("p", "muted", "The bot receives this worker's (made-up, +888) number.")], true);
  if (!ok) return;
  try { await api("contact", { user }); } catch (e) { toast(e.message, $("workerPane")); }
}

async function joinGroup() {
  if (!ui.group) return toast("No group yet", $("groupPane"));
  const name = el("input");
  name.placeholder = name.ariaLabel = "Name";
  name.value = "Caseworker " + ["Boris", "Dana", "Lela", "Mihai", "Aydan"][Math.floor(Math.random() * 5)];
  const lang = langSelect(el("select"), "en");
  lang.ariaLabel = "Telegram language";
  if (!(await showDialog("Another caseworker joins", [name, lang], true))) return;
  try {
    const r = await api("join", { chat: ui.group, name: name.value, lang: lang.value });
    ui.speaker = r.id;
    save();
  } catch (e) { toast(e.message, $("groupPane")); }
}

// --- editors' preview ---------------------------------------------------

let previewKey = "";
let previewBusy = false;
// previewAgain is a load asked for while one was on its way: it runs when
// that one is back, and the answer on its way is not shown, or it would
// put the choice made meanwhile back to the old one.
let previewAgain = false;

async function loadPreview(force) {
  if (!demo || ui.view !== "preview") return;
  if (previewBusy) {
    previewAgain = true;
    return;
  }
  previewBusy = true;
  try {
    const q = new URLSearchParams({ topic: ui.previewTopic, lang: ui.previewLang || "en", work: ui.previewWork });
    const res = await fetch("/demo/preview?" + q);
    const p = await res.json();
    if (previewAgain) return;
    if (!res.ok) throw new Error(p.error || res.statusText);
    const key = q + "|" + p.stamp;
    if (key !== previewKey || force) {
      previewKey = key;
      renderPreview(p);
    }
  } catch (e) {
    $("previewFile").textContent = "The preview failed: " + e.message;
  } finally {
    previewBusy = false;
    if (previewAgain) {
      previewAgain = false;
      loadPreview(true);
    }
  }
}

function fillSelect(select, options, value) {
  const sig = JSON.stringify(options);
  if (select.dataset.sig !== sig) {
    select.dataset.sig = sig;
    select.replaceChildren(...options.map(([v, label]) => { const o = el("option", "", label); o.value = v; return o; }));
  }
  select.value = value;
}

function renderPreview(p) {
  ui.previewTopic = p.topic;
  ui.previewLang = p.lang;
  save();
  fillSelect($("previewTopic"), p.topics.map((t) => [t.id, t.title + (t.status === "ok" ? "" : ` (${t.status})`)]), p.topic);
  fillSelect($("previewLang"), LANGS.map(([c, n]) => [c, `${n} (${c})`]), p.lang);
  fillSelect($("previewWork"), [["", "— not said —"], ...p.countries.map((c) => [c.code, c.name])], p.work);
  $("previewSub").textContent = `${p.messages.length} message${p.messages.length === 1 ? "" : "s"} · as the bot sends it to a worker reading ${langName(p.lang)}`;
  const list = $("previewMessages");
  list.replaceChildren();
  p.messages.forEach((m, i) => {
    const row = el("div", "row in");
    row.dataset.id = i + 1;
    row.dataset.from = "bot";
    const bubble = el("div", "bubble");
    if (m.error) bubble.append(el("div", "refused", "Telegram would refuse this message: " + m.error));
    const body = el("div", "text");
    if (m.nodes) renderNodes(m.nodes, body);
    else body.textContent = m.text;
    bubble.append(body, el("span", "meta", `${m.length} / 4096`));
    row.append(bubble);
    if (m.inline && m.inline.length) {
      const kb = el("div", "inline-kb inert");
      for (const buttons of m.inline) {
        const r = el("div", "inline-row");
        for (const b of buttons) r.append(el("span", "inline-btn", b.text));
        kb.append(r);
      }
      row.append(kb);
    }
    list.append(row);
  });
  $("previewFile").textContent = `${p.file} · ${p.status}`;
  const ul = $("previewFindings");
  ul.replaceChildren(...(p.findings.length ? p.findings.map((f) => el("li", "finding", f)) : [el("li", "ok", "✓ No findings for this file.")]));
  $("previewOther").textContent = p.other ? `${p.other} finding(s) in other files: run "rightsdesk content check".` : "";
  $("previewWatch").textContent = p.watching
    ? `Watching ${p.watching}: save the file and this preview follows.`
    : "This is the content built into the binary. Start the demo with -content-dir content to edit files and see them here.";
}

// --- start --------------------------------------------------------------

const panes = {
  worker: new ChatPane($("workerPane"), "worker"),
  group: new ChatPane($("groupPane"), "group"),
};

async function loadDemo() {
  try {
    const res = await fetch("/demo/info");
    if (res.ok) demo = await res.json();
  } catch (_) { demo = null; }
  $("resetBtn").hidden = !demo;
  $("viewPreview").hidden = !demo;
  if (!demo && ui.view === "preview") ui.view = "worker";
  renderNav();
  if (demo) {
    setInterval(() => loadPreview(false), 1500);
    loadPreview(true);
  }
}

function init() {
  langSelect($("workerNewLang"), LANGS.some(([c]) => c === navigator.language.slice(0, 2)) ? navigator.language.slice(0, 2) : "en");
  langSelect($("workerLang"), "en");
  for (const b of document.querySelectorAll(".views button")) b.onclick = () => setView(b.dataset.view);
  $("newWorker").onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      const r = await api("users", { name: $("workerName").value, lang: $("workerNewLang").value });
      $("workerName").value = "";
      adding = false;
      selectWorker(r.id);
      setTimeout(() => panes.worker.part.start.focus(), 300);
    } catch (e) { toast(e.message); }
  };
  $("workerCancel").onclick = () => { adding = false; if (data) render(data); };
  $("workerLang").onchange = async () => {
    try { await api("lang", { user: ui.worker, lang: $("workerLang").value }); } catch (e) { toast(e.message, $("workerPane")); }
  };
  $("blockBtn").onclick = async () => {
    const chat = panes.worker.chat;
    if (!chat) return;
    try { await api("block", { user: ui.worker, blocked: !chat.blocked }); } catch (e) { toast(e.message, $("workerPane")); }
  };
  $("groupSelect").onchange = () => { ui.group = Number($("groupSelect").value); ui.thread = 0; save(); panes.group.forget(); restartPoll(); };
  $("speakerSelect").onchange = () => { ui.speaker = Number($("speakerSelect").value); save(); panes.group.forget(); if (data) render(data); };
  $("joinBtn").onclick = joinGroup;
  $("previewForm").onchange = () => {
    ui.previewTopic = $("previewTopic").value;
    ui.previewLang = $("previewLang").value;
    ui.previewWork = $("previewWork").value;
    save();
    loadPreview(true);
  };
  $("resetBtn").onclick = async () => {
    const ok = await showDialog("Start over?", [el("p", "", "Every worker, case and message in this sandbox is erased: the bot restarts on a fresh database and a fresh local Telegram.")], true);
    if (!ok) return;
    $("resetBtn").disabled = true;
    toast("Starting over…");
    try {
      const res = await fetch("/demo/reset", { method: "POST" });
      if (!res.ok) throw new Error((await res.json().catch(() => ({}))).error || res.statusText);
      sessionStorage.removeItem("sandbox");
      location.reload();
    } catch (e) {
      toast("Reset failed: " + e.message);
      $("resetBtn").disabled = false;
    }
  };
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") { panes.worker.closeMenus(); panes.group.closeMenus(); }
  });
  renderNav();
  loadDemo();
  restartPoll();
}

init();
