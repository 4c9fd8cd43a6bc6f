// Local Telegram chat page. Bot messages arrive as a parsed node tree and are
// rebuilt from a whitelist of elements with textContent only: no innerHTML.
"use strict";

const LANGS = [
  ["az", "Azərbaycanca"], ["ru", "Русский"], ["ka", "ქართული"],
  ["ro", "Română"], ["kk", "Қазақша"], ["en", "English"],
];
const CITIES = [
  ["Baku", 40.4093, 49.8671], ["Tbilisi", 41.7151, 44.8271], ["Chișinău", 47.0105, 28.8638],
  ["Almaty", 43.2389, 76.8897], ["Astana", 51.1694, 71.4491], ["Moscow", 55.7558, 37.6173],
  ["Istanbul", 41.0082, 28.9784], ["Warsaw", 52.2297, 21.0122],
];
const MEDIA_LABELS = {
  photo: "🖼 Photo", document: "📄 Document", sticker: "👍 Sticker", voice: "🎤 Voice message",
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

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
};

const state = {
  user: Number(localStorage.getItem("lt.user")) || 0,
  chat: Number(localStorage.getItem("lt.chat")) || 0,
  version: 0,
  data: null,
  seenAnswers: new Set(),
  answersPrimed: false,
  replyTo: 0,
  kbHidden: false,
  poll: null,
};

async function api(path, body) {
  const res = await fetch("/ui/api/" + path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}

function select(user, chat) {
  state.user = user;
  state.chat = chat || user;
  state.replyTo = 0;
  state.kbHidden = false;
  state.answersPrimed = false;
  state.rendered = false;
  state.seenAnswers.clear();
  localStorage.setItem("lt.user", String(state.user));
  localStorage.setItem("lt.chat", String(state.chat));
  $("messages").replaceChildren();
  closeOverlays();
  restartPoll();
}

function restartPoll() {
  if (state.poll) state.poll.abort();
  state.version = 0;
  poll();
}

async function poll() {
  const ctrl = new AbortController();
  state.poll = ctrl;
  while (state.poll === ctrl) {
    try {
      const q = `since=${state.version}&chat=${state.chat}&user=${state.user}`;
      const res = await fetch("/ui/api/state?" + q, { signal: ctrl.signal });
      if (!res.ok) throw new Error(res.statusText);
      const data = await res.json();
      if (state.poll !== ctrl) return;
      state.version = data.version;
      render(data);
    } catch (e) {
      if (ctrl.signal.aborted) return;
      await new Promise((r) => setTimeout(r, 700));
    }
  }
}

function me() {
  return state.data && state.data.users.find((u) => u.id === state.user);
}

function render(data) {
  state.data = data;
  if (!me()) {
    state.user = 0;
  }
  renderDrawer();
  const chat = data.chat;
  const haveChat = state.user && chat;
  $("welcome").hidden = !!haveChat;
  $("composer").hidden = !haveChat;
  if (!haveChat) {
    $("peerName").textContent = "Local Telegram";
    $("peerSub").textContent = "pick or create a person";
    $("messages").replaceChildren();
    if (!state.user) $("drawer").hidden = true;
    return;
  }
  const group = chat.type !== "private";
  $("peerAvatar").textContent = group ? (chat.title[0] || "G") : (data.bot.first_name[0] || "B");
  $("peerName").textContent = group ? chat.title : data.bot.first_name;
  const who = me();
  $("peerSub").textContent = group
    ? `group · you are ${who ? who.name : "?"} · bot ${chat.bot_status}`
    : `bot · @${data.bot.username} · you are ${who.name} (${who.lang || "—"})${chat.blocked ? " · blocked" : ""}`;
  renderMessages(chat, group);
  renderComposer(chat, group);
  renderAnswers(chat.answers);
}

function renderDrawer() {
  const ul = $("userList");
  ul.replaceChildren();
  for (const u of state.data.users) {
    const b = el("button", u.id === state.chat ? "active" : "");
    b.append(el("div", "avatar small", (u.name[0] || "?").toUpperCase()));
    const t = el("div");
    t.append(el("div", "", u.name), el("div", "sub", `${u.lang || "—"} · id ${u.id}`));
    b.append(t);
    b.onclick = () => select(u.id, u.id);
    ul.append(b);
  }
  const gl = $("groupList");
  gl.replaceChildren();
  for (const g of state.data.groups) {
    const b = el("button", g.id === state.chat ? "active" : "");
    b.append(el("div", "avatar small", (g.title[0] || "G").toUpperCase()));
    const t = el("div");
    const names = g.members.map((id) => (state.data.users.find((u) => u.id === id) || {}).name).filter(Boolean);
    t.append(el("div", "", g.title), el("div", "sub", names.join(", ")));
    b.append(t);
    b.onclick = () => {
      const speaker = g.members.includes(state.user) ? state.user : g.members[0];
      select(speaker, g.id);
    };
    gl.append(b);
  }
}

function timeOf(unix) {
  const d = new Date(unix * 1000);
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function renderMessages(chat, group) {
  const box = $("chat");
  const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 120;
  const list = $("messages");
  const byId = new Map(chat.messages.map((m) => [m.id, m]));
  const frag = document.createDocumentFragment();
  for (const m of chat.messages) {
    frag.append(renderMessage(m, byId, group, chat.id));
  }
  list.replaceChildren(frag);
  if (nearBottom || !state.rendered) box.scrollTop = box.scrollHeight;
  state.rendered = true;
}

function renderMessage(m, byId, group, chatId) {
  if (m.kind === "service") {
    const row = el("div", "row service");
    const who = m.sender_name || "Someone";
    const say = SERVICE_TEXT[m.service];
    const what = say ? say(m) : `added ${(m.new_members || []).join(", ")}`;
    row.append(el("div", "service-pill", `${who} ${what}`));
    return row;
  }
  const out = !m.from_bot && m.sender_id === state.user;
  const row = el("div", "row " + (out ? "out" : "in") + (m.deleted ? " deleted" : ""));
  const bubble = el("div", "bubble");
  if (group && !out) bubble.append(el("div", "sender", m.from_bot ? state.data.bot.first_name : m.sender_name));
  if (m.topic) bubble.append(el("div", "forwarded", `# ${m.topic}`));
  if (m.pinned) bubble.append(el("div", "forwarded", "📌 Pinned"));
  if (m.forwarded) bubble.append(el("div", "forwarded", "Forwarded message"));
  if (m.reply_to && byId.has(m.reply_to)) bubble.append(el("div", "reply-quote", preview(byId.get(m.reply_to))));
  const body = el("span");
  if (m.deleted) {
    body.textContent = m.from_bot ? "Message deleted by the bot" : "Message deleted";
  } else if (m.from_bot && m.nodes && m.kind === "text") {
    renderNodes(m.nodes, body);
  } else if (m.location) {
    const card = el("span", "map-card");
    card.append(el("span", "map-pin", "📍"), el("span", "", `${m.location.latitude.toFixed(4)}, ${m.location.longitude.toFixed(4)}`));
    body.append(card);
  } else if (m.contact) {
    body.append(el("span", "media-label", `👤 ${m.contact.first_name} · +${m.contact.phone_number}`));
  } else if (m.kind !== "text") {
    body.append(el("span", "media-label", MEDIA_LABELS[m.kind] || m.kind));
    if (m.file_name) body.append(el("span", "", " " + m.file_name));
    if (m.caption) body.append(el("div", "", m.caption));
  } else {
    body.textContent = m.text || "";
  }
  bubble.append(body);
  bubble.append(el("span", "meta", (m.edited && !m.deleted ? "edited " : "") + timeOf(m.date) + (out ? " ✓✓" : "")));
  if (group && !m.deleted) {
    bubble.ondblclick = () => setReply(m);
    bubble.title = "Double-click to reply";
  }
  row.append(bubble);
  if (m.inline && m.inline.length && !m.deleted) row.append(renderInline(m, chatId));
  return row;
}

function preview(m) {
  if (!m) return "";
  if (m.deleted) return "Deleted message";
  if (m.text) return m.text;
  if (m.nodes) return plain(m.nodes);
  return MEDIA_LABELS[m.kind] || m.kind;
}

function plain(nodes) {
  return nodes.map((n) => (n.text || "") + (n.children ? plain(n.children) : "")).join("");
}

const SAFE_SCHEMES = ["http:", "https:", "tg:", "mailto:"];

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
        if (ok) {
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

function renderInline(m, chatId) {
  const kb = el("div", "inline-kb");
  m.inline.forEach((row, r) => {
    const rowEl = el("div", "inline-row");
    row.forEach((b, c) => {
      if (b.url) {
        const a = el("a", "url-btn", b.text + " ↗");
        try {
          if (SAFE_SCHEMES.includes(new URL(b.url).protocol)) a.href = b.url;
        } catch (_) { /* leave without href */ }
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        rowEl.append(a);
        return;
      }
      const btn = el("button", "", b.text);
      btn.onclick = async () => {
        btn.classList.add("pending");
        try {
          await api("press", { user: state.user, chat: chatId, message_id: m.id, row: r, col: c });
        } catch (e) {
          toast(e.message);
        }
        setTimeout(() => btn.classList.remove("pending"), 1500);
      };
      rowEl.append(btn);
    });
    kb.append(rowEl);
  });
  return kb;
}

function renderComposer(chat, group) {
  const empty = !chat.messages.some((m) => m.sender_id === state.user || m.from_bot);
  $("startBtn").hidden = group || !(empty || chat.blocked);
  $("startBtn").textContent = chat.blocked ? "RESTART BOT" : "START";
  $("sendForm").hidden = !$("startBtn").hidden;
  $("attachBtn").hidden = group;
  $("cmdBtn").hidden = !state.data.commands.length;
  const kb = chat.reply_keyboard || [];
  $("kbToggle").hidden = !kb.length;
  const box = $("replyKeyboard");
  box.hidden = !kb.length || state.kbHidden || group;
  box.replaceChildren();
  for (const row of kb) {
    const r = el("div", "kb-row");
    for (const b of row) {
      const btn = el("button", "", (b.request_location ? "📍 " : b.request_contact ? "👤 " : "") + b.text);
      btn.onclick = () => pressReply(b);
      r.append(btn);
    }
    box.append(r);
  }
  renderCommands();
}

function renderCommands() {
  const list = $("commandList");
  list.replaceChildren();
  for (const c of state.data.commands) {
    const b = el("button");
    b.append(el("b", "", "/" + c.command), el("span", "", c.description));
    b.onclick = () => { list.hidden = true; sendText("/" + c.command); };
    list.append(b);
  }
}

function renderAnswers(answers) {
  for (const a of answers) {
    if (state.seenAnswers.has(a.query_id)) continue;
    state.seenAnswers.add(a.query_id);
    if (!state.answersPrimed || !a.text) continue;
    if (a.show_alert) {
      showDialog("Bot", [el("p", "", a.text)], false);
    } else {
      toast(a.text);
    }
  }
  state.answersPrimed = true;
}

let toastTimer = 0;
function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 2600);
}

function showDialog(title, nodes, cancellable) {
  return new Promise((resolve) => {
    const d = $("dialog");
    if (d.open) {
      // One dialog at a time; a second one degrades to a toast.
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

async function sendText(text) {
  if (!text.trim()) return;
  const body = { user: state.user, chat: state.chat, text };
  if (state.replyTo) body.message_id = state.replyTo;
  setReply(null);
  try {
    await api("send", body);
  } catch (e) {
    toast(e.message);
  }
}

function setReply(m) {
  state.replyTo = m ? m.id : 0;
  $("replyWrap").hidden = !m;
  $("replyText").textContent = m ? "Reply to: " + preview(m) : "";
}

async function pressReply(b) {
  if (b.request_location) return askLocation();
  if (b.request_contact) return askContact();
  return sendText(b.text);
}

async function askLocation() {
  const lat = el("input");
  const lon = el("input");
  lat.inputMode = lon.inputMode = "decimal";
  lat.placeholder = "latitude";
  lon.placeholder = "longitude";
  lat.value = CITIES[0][1];
  lon.value = CITIES[0][2];
  const chips = el("div", "chips");
  for (const [name, la, lo] of CITIES) {
    const c = el("button", "", name);
    c.type = "button";
    c.onclick = () => { lat.value = la; lon.value = lo; };
    chips.append(c);
  }
  const coords = el("div", "coords");
  coords.append(lat, lon);
  const ok = await showDialog("Share location", [el("p", "muted", "Pick a city or type coordinates."), chips, coords], true);
  if (!ok) return;
  const la = parseFloat(lat.value);
  const lo = parseFloat(lon.value);
  if (!isFinite(la) || !isFinite(lo)) return toast("Invalid coordinates");
  try { await api("location", { user: state.user, lat: la, lon: lo }); } catch (e) { toast(e.message); }
}

async function askContact() {
  const ok = await showDialog("Share your phone number?", [el("p", "muted", "The bot will receive your (fake) phone number.")], true);
  if (!ok) return;
  try { await api("contact", { user: state.user }); } catch (e) { toast(e.message); }
}

function langSelect(value) {
  const s = el("select");
  for (const [code, name] of LANGS) {
    const o = el("option", "", name);
    o.value = code;
    s.append(o);
  }
  s.value = value || "en";
  return s;
}

function closeOverlays() {
  $("drawer").hidden = true;
  $("scrim").hidden = true;
  $("moreMenu").hidden = true;
  $("attachMenu").hidden = true;
  $("commandList").hidden = true;
}

function init() {
  for (const [code, name] of LANGS) {
    const o = el("option", "", name);
    o.value = code;
    $("langInput").append(o);
  }
  const guess = (navigator.language || "en").slice(0, 2);
  $("langInput").value = LANGS.some(([c]) => c === guess) ? guess : "en";

  $("newUserForm").onsubmit = async (ev) => {
    ev.preventDefault();
    try {
      const r = await api("users", { name: $("nameInput").value, lang: $("langInput").value });
      $("nameInput").value = "";
      select(r.id, r.id);
    } catch (e) { toast(e.message); }
  };
  $("menuBtn").onclick = () => { const open = $("drawer").hidden; closeOverlays(); $("drawer").hidden = !open; $("scrim").hidden = !open; };
  $("scrim").onclick = closeOverlays;
  $("addUserBtn").onclick = () => { closeOverlays(); state.user = 0; state.chat = 0; localStorage.removeItem("lt.user"); restartPoll(); $("nameInput").focus(); };
  $("addGroupBtn").onclick = async () => {
    closeOverlays();
    if (!state.user) return toast("Create a person first");
    const title = el("input");
    title.placeholder = "Group name";
    title.value = "Workers' group";
    const boxes = [];
    const list = el("div");
    for (const u of state.data.users) {
      if (u.id === state.user) continue;
      const lab = el("label", "check");
      const cb = el("input");
      cb.type = "checkbox";
      cb.value = u.id;
      boxes.push(cb);
      lab.append(cb, el("span", "", u.name));
      list.append(lab);
    }
    const ok = await showDialog("New group (you add the bot)", [title, list], true);
    if (!ok) return;
    try {
      const members = boxes.filter((b) => b.checked).map((b) => Number(b.value));
      const r = await api("groups", { user: state.user, title: title.value, members });
      select(state.user, r.id);
    } catch (e) { toast(e.message); }
  };
  $("moreBtn").onclick = () => { const open = $("moreMenu").hidden; closeOverlays(); $("moreMenu").hidden = !open; };
  $("moreMenu").onclick = async (ev) => {
    const what = ev.target.dataset.more;
    closeOverlays();
    if (!what || !state.user) return;
    try {
      if (what === "block") await api("block", { user: state.user, blocked: true });
      if (what === "unblock") await api("block", { user: state.user, blocked: false });
      if (what === "lang") {
        const s = langSelect(me() && me().lang);
        if (await showDialog("Telegram language", [s], true)) await api("lang", { user: state.user, lang: s.value });
      }
    } catch (e) { toast(e.message); }
  };
  $("attachBtn").onclick = () => { const open = $("attachMenu").hidden; closeOverlays(); $("attachMenu").hidden = !open; };
  $("attachMenu").onclick = async (ev) => {
    const kind = ev.target.dataset.media;
    closeOverlays();
    if (!kind) return;
    if (kind === "location") return askLocation();
    if (kind === "contact") return askContact();
    const caption = $("textInput").value;
    $("textInput").value = "";
    try { await api("media", { user: state.user, kind, caption }); } catch (e) { toast(e.message); }
  };
  $("cmdBtn").onclick = () => { const open = $("commandList").hidden; closeOverlays(); $("commandList").hidden = !open; };
  $("kbToggle").onclick = () => { state.kbHidden = !state.kbHidden; if (state.data) render(state.data); };
  $("startBtn").onclick = () => {
    if (state.data && state.data.chat && state.data.chat.blocked) return api("block", { user: state.user, blocked: false }).catch((e) => toast(e.message));
    return sendText("/start");
  };
  $("replyCancel").onclick = () => setReply(null);
  const input = $("textInput");
  $("sendForm").onsubmit = (ev) => {
    ev.preventDefault();
    const text = input.value;
    input.value = "";
    input.style.height = "";
    sendText(text);
  };
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) {
      ev.preventDefault();
      $("sendForm").requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    input.style.height = "";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  });
  restartPoll();
}

init();
