// The sandbox's chat page: one person's chat with the bot at a time, every chat live.
// Plain DOM, no build step. Message objects are the Bot API's, as the double stores them.
"use strict";

const state = {
  people: [], current: null, unread: new Map(), replyTo: null, refreshing: null, timeZone: "UTC",
};
const $ = (id) => document.getElementById(id);

// The sandbox answers only requests that carry the key it printed in the page's address.
const KEY = new URLSearchParams(location.search).get("key") || "";
const keyed = (path) => `${path}?key=${encodeURIComponent(KEY)}`;

async function api(path, options = {}) {
  const response = await fetch(keyed(path), options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `The sandbox answered ${response.status}.`);
  return body;
}

function postJson(path, body) {
  return api(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

let toastTimer = null;
function toast(text) {
  const element = $("toast");
  element.textContent = text;
  element.classList.add("shown");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => element.classList.remove("shown"), 4000);
}

// --- people ------------------------------------------------------------------------------------

async function loadPeople() {
  const { people, roles, time_zone: timeZone } = await api("/sandbox/people");
  state.people = people;
  state.timeZone = timeZone;
  const select = $("new-role");
  if (select.options.length !== roles.length) {
    select.replaceChildren(...roles.map((role) => new Option(role.label, role.key)));
    $("new-person").hidden = roles.length === 0;
  }
  renderPeople();
  const wanted = Number(location.hash.slice(1));
  if (state.current === null && people.length) {
    const chosen = people.find((person) => person.id === wanted) || people[0];
    openChat(chosen.id);
  }
}

function renderPeople() {
  const items = state.people.map((person) => {
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.person = person.id;
    button.setAttribute("aria-current", String(person.id === state.current));
    const unread = state.unread.get(person.id) || 0;
    if (unread) {
      const badge = document.createElement("span");
      badge.className = "unread";
      badge.textContent = unread;
      badge.setAttribute("aria-label", `${unread} new`);
      button.append(badge);
    }
    const name = document.createElement("span");
    name.className = "person-name";
    name.textContent = person.name;
    const description = document.createElement("span");
    description.className = "person-description";
    description.textContent = person.description;
    button.append(name, description);
    button.addEventListener("click", () => openChat(person.id));
    const item = document.createElement("li");
    item.append(button);
    return item;
  });
  $("people-list").replaceChildren(...items);
}

async function addPerson(event) {
  event.preventDefault();
  try {
    const { id } = await postJson("/sandbox/people", {
      name: $("new-name").value,
      role: $("new-role").value,
      language: navigator.language ? navigator.language.slice(0, 2) : null,
    });
    $("new-name").value = "";
    await loadPeople();
    openChat(id);
  } catch (error) {
    toast(error.message);
  }
}

// --- one chat ----------------------------------------------------------------------------------

async function openChat(id) {
  state.current = id;
  state.unread.delete(id);
  state.replyTo = null;
  history.replaceState(null, "", `#${id}`);
  const person = state.people.find((p) => p.id === id);
  $("chat-heading").textContent = person ? `${person.name}'s chat with the bot` : "Chat";
  $("chat-description").textContent = person ? person.description : "";
  $("composer").hidden = false;
  // The last person's messages go at once: their buttons must never act for this one.
  $("messages").replaceChildren();
  $("reply-keyboard").replaceChildren();
  renderPeople();
  renderReplying();
  await refreshChat({ opened: true });
  $("text").focus();
}

async function refreshChat({ opened = false } = {}) {
  const id = state.current;
  if (id === null) return;
  const chat = await api(`/sandbox/chats/${id}`);
  if (id !== state.current) return;
  const list = $("messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  const scrolledBack = list.scrollTop;
  list.replaceChildren(...chat.messages.map((message) => renderMessage(message, id)));
  renderReplyKeyboard(chat.reply_keyboard, id);
  // Someone reading further up is left there while edits (broadcast progress) come in.
  list.scrollTop = opened || atBottom ? list.scrollHeight : scrolledBack;
}

// Many events arrive together (a broadcast, an edit per second): fetch the chat once for them.
function scheduleRefresh() {
  if (state.refreshing) return;
  state.refreshing = setTimeout(async () => {
    state.refreshing = null;
    await refreshChat().catch((error) => toast(error.message));
  }, 50);
}

// Every button remembers the chat it was drawn for, and acts as that person only.
function renderMessage(message, chatId) {
  const item = document.createElement("li");
  item.className = `message ${message.outgoing ? "outgoing" : "incoming"}`;
  item.dataset.messageId = message.message_id;
  item.setAttribute("aria-label", message.outgoing ? "You wrote" : "The bot wrote");
  if (message.reply_to_message) {
    const quote = document.createElement("span");
    quote.className = "quote";
    const replied = message.reply_to_message;
    quote.textContent = (replied.text || replied.caption || "(a file)").slice(0, 80);
    item.append(quote);
  }
  item.append(...renderMedia(message));
  const text = message.text ?? message.caption;
  if (text) {
    const body = document.createElement("div");
    body.className = "text";
    body.append(renderEntities(text, message.entities || message.caption_entities || [], chatId));
    item.append(body);
  }
  const keyboard = message.reply_markup && message.reply_markup.inline_keyboard;
  if (keyboard) item.append(renderInlineKeyboard(chatId, message.message_id, keyboard));
  const meta = document.createElement("span");
  meta.className = "meta";
  // The service's time zone, as the bot writes times, whatever the browser's own is.
  const time = new Date(message.date * 1000).toLocaleTimeString([], {
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: state.timeZone,
  });
  meta.textContent = message.edit_date ? `${time} · edited` : time;
  if (!message.outgoing) {
    const reply = document.createElement("button");
    reply.type = "button";
    reply.className = "reply-button";
    reply.textContent = "Reply";
    reply.addEventListener("click", () => {
      state.replyTo = { id: message.message_id, text: (text || "a file").slice(0, 60) };
      renderReplying();
      $("text").focus();
    });
    meta.append(" · ", reply);
  }
  item.append(meta);
  return item;
}

function renderMedia(message) {
  const parts = [];
  if (message.photo) {
    const largest = message.photo[message.photo.length - 1];
    const image = document.createElement("img");
    image.src = keyed(`/sandbox/files/${encodeURIComponent(largest.file_id)}`);
    image.alt = message.caption ? `Photo: ${message.caption}` : "Photo";
    parts.push(image);
  }
  const file = message.document || message.voice || message.audio || message.video;
  if (file) {
    const link = document.createElement("a");
    link.href = keyed(`/sandbox/files/${encodeURIComponent(file.file_id)}`);
    link.download = file.file_name || "";
    link.textContent = `📄 ${file.file_name || (message.voice ? "voice message" : "file")}`;
    parts.push(link);
  }
  return parts;
}

// Entities are offsets in UTF-16 code units, which is what JavaScript strings index by.
function renderEntities(text, entities, chatId) {
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  const root = document.createDocumentFragment();
  const build = (parent, from, to, list) => {
    let position = from;
    let i = 0;
    while (i < list.length && list[i].offset < to) {
      const entity = list[i];
      if (entity.offset < position) { i += 1; continue; }  // overlaps its sibling: plain text
      if (entity.offset > position) parent.append(text.slice(position, entity.offset));
      const end = Math.min(entity.offset + entity.length, to);
      let j = i + 1;
      while (j < list.length && list[j].offset < end) j += 1;
      const element = elementFor(entity, text.slice(entity.offset, end), chatId);
      build(element, entity.offset, end, list.slice(i + 1, j));
      parent.append(element);
      position = end;
      i = j;
    }
    if (position < to) parent.append(text.slice(position, to));
  };
  build(root, 0, text.length, sorted);
  return root;
}

function elementFor(entity, content, chatId) {
  const tags = { bold: "strong", italic: "em", underline: "u", strikethrough: "s", code: "code", pre: "pre", blockquote: "blockquote", expandable_blockquote: "blockquote" };
  if (tags[entity.type]) return document.createElement(tags[entity.type]);
  if (entity.type === "text_link" || entity.type === "url") {
    const link = document.createElement("a");
    const href = entity.type === "url" ? content : entity.url;
    link.href = /^https?:|^tg:|^mailto:/i.test(href) ? href : `https://${href}`;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    return link;
  }
  if (entity.type === "bot_command") {
    const command = document.createElement("button");
    command.type = "button";
    command.className = "command";
    command.title = `Send ${content}`;
    command.addEventListener("click", () => sendText(content, chatId).catch((e) => toast(e.message)));
    return command;
  }
  const span = document.createElement("span");
  if (entity.type === "spoiler") {
    span.className = "spoiler";
    span.tabIndex = 0;
  }
  return span;
}

function renderInlineKeyboard(chatId, messageId, rows) {
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  keyboard.setAttribute("role", "group");
  keyboard.setAttribute("aria-label", "Buttons");
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "keyboard-row";
    for (const button of row) {
      if (button.url) {
        const link = document.createElement("a");
        link.href = button.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.textContent = button.text;
        line.append(link);
        continue;
      }
      const element = document.createElement("button");
      element.type = "button";
      element.textContent = button.text;
      element.addEventListener("click", () => press(chatId, messageId, button.callback_data, element));
      line.append(element);
    }
    keyboard.append(line);
  }
  return keyboard;
}

function renderReplyKeyboard(markup, chatId) {
  const area = $("reply-keyboard");
  const rows = (markup && markup.keyboard) || [];
  area.replaceChildren(...rows.map((row) => {
    const line = document.createElement("div");
    line.className = "keyboard-row";
    for (const key of row) {
      const label = typeof key === "string" ? key : key.text;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      const send = key.request_contact ? () => shareContact(chatId) : () => sendText(label, chatId);
      button.addEventListener("click", () => send().catch((e) => toast(e.message)));
      line.append(button);
    }
    return line;
  }));
}

function renderReplying() {
  const replying = state.replyTo;
  $("replying").hidden = !replying;
  $("replying-text").textContent = replying ? `Replying to “${replying.text}”` : "";
}

// --- acting as the person ----------------------------------------------------------------------

async function press(chatId, messageId, data, element) {
  element.disabled = true;
  try {
    const { answer } = await postJson(`/sandbox/chats/${chatId}/press`, {
      message_id: messageId,
      data,
    });
    if (answer && answer.text) toast(answer.text);
  } catch (error) {
    toast(error.message);
  } finally {
    element.disabled = false;
  }
}

async function sendText(text, chatId = state.current) {
  const body = { text };
  if (state.replyTo && chatId === state.current) body.reply_to = state.replyTo.id;
  await postJson(`/sandbox/chats/${chatId}/messages`, body);
  state.replyTo = null;
  renderReplying();
}

async function shareContact(chatId) {
  await postJson(`/sandbox/chats/${chatId}/messages`, { contact: true });
}

async function submitComposer(event) {
  event.preventDefault();
  const field = $("text");
  if (!field.value.trim()) return;
  try {
    await sendText(field.value);
    field.value = "";
  } catch (error) {
    toast(error.message);
  }
}

// The file goes as JSON too: the sandbox takes nothing that changes a chat in any other form.
function base64Of(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result.slice(reader.result.indexOf(",") + 1));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function sendFile() {
  const input = $("file");
  const file = input.files[0];
  if (!file) return;
  try {
    const data = await base64Of(file);
    await postJson(`/sandbox/chats/${state.current}/messages`, {
      file: { name: file.name, type: file.type, data },
      caption: $("text").value,
    });
    $("text").value = "";
  } catch (error) {
    toast(error.message);
  } finally {
    input.value = "";
  }
}

// --- live updates ------------------------------------------------------------------------------

function listen() {
  const events = new EventSource(keyed("/sandbox/events"));
  events.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.kind === "user_added") {
      loadPeople().catch((error) => toast(error.message));
    } else if (event.chat_id === state.current) {
      if (event.kind !== "callback_answered" && event.kind !== "chat_action") scheduleRefresh();
    } else if (event.kind === "message") {
      state.unread.set(event.chat_id, (state.unread.get(event.chat_id) || 0) + 1);
      renderPeople();
    }
  };
  // The browser reconnects by itself; what was missed meanwhile is fetched again.
  let lost = false;
  events.onopen = () => {
    if (lost) toast("Connected to the sandbox again.");
    lost = false;
    scheduleRefresh();
    loadPeople().catch((error) => toast(error.message));
  };
  events.onerror = () => {
    if (events.readyState === EventSource.CLOSED) {
      toast("The sandbox has stopped. Start it again and reload this page.");
    } else if (!lost) {
      toast("Lost the connection to the sandbox; trying again…");
    }
    lost = true;
  };
}

document.addEventListener("DOMContentLoaded", () => {
  $("new-person").addEventListener("submit", addPerson);
  $("composer").addEventListener("submit", submitComposer);
  $("file").addEventListener("change", sendFile);
  $("replying-cancel").addEventListener("click", () => { state.replyTo = null; renderReplying(); });
  $("text").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });
  listen();
  loadPeople().catch((error) => toast(error.message));
});
