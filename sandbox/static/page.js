// The phones: each draws its chat as Telegram does, and acts for the person holding it.
"use strict";

const state = { phones: {}, tz: "Asia/Shanghai", samples: [], picking: null, pickingWhat: null };
// Moments the page saw each live event (the bench reads them): [Date.now(), type, phone, id].
window.sandboxSeen = [];

// --- Telegram's HTML, kept to the tags Telegram draws ----------------------------------------

const TAGS = {
  B: "b", STRONG: "b", I: "i", EM: "i", U: "u", INS: "u", S: "s", STRIKE: "s", DEL: "s",
  CODE: "code", PRE: "pre", BLOCKQUOTE: "blockquote", A: "a", SPAN: "span", "TG-SPOILER": "span",
};

function telegramHtml(html) {
  const doc = new DOMParser().parseFromString(`<div>${html}</div>`, "text/html");
  return cleaned(doc.body.firstChild);
}

function cleaned(node) {
  const out = document.createDocumentFragment();
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) {
      out.append(document.createTextNode(child.textContent));
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue;
    const tag = TAGS[child.tagName];
    if (!tag) {
      out.append(cleaned(child));
      continue;
    }
    const el = document.createElement(tag);
    if (tag === "a") {
      const href = child.getAttribute("href") || "";
      if (/^(https?:|tg:)/i.test(href)) {
        el.href = href;
        el.target = "_blank";
        el.rel = "noopener noreferrer";
      }
    }
    if (child.tagName === "TG-SPOILER" || (tag === "span" && child.classList.contains("tg-spoiler"))) {
      el.className = "spoiler";
      el.addEventListener("click", () => el.classList.add("shown"));
    }
    el.append(cleaned(child));
    out.append(el);
  }
  return out;
}

// --- talking to the server ---------------------------------------------------------------------

async function post(url, body) {
  const init = { method: "POST" };
  if (body instanceof FormData) init.body = body;
  else {
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(body || {});
  }
  const response = await fetch(url, init);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

function act(key, what, body) {
  return post(`/api/phones/${key}/${what}`, body).catch((error) => toast(key, "⚠ " + error.message));
}

// --- drawing a message -------------------------------------------------------------------------

function fileUrl(id) {
  return `/api/files/${encodeURIComponent(id)}`;
}

function timeOf(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString("zh-CN", {
    timeZone: state.tz, hour: "2-digit", minute: "2-digit",
  });
}

function bubble(key, m) {
  const div = document.createElement("div");
  div.className = "msg " + (m.bot ? "bot" : "me");
  div.dataset.id = m.id;
  if (m.photo) {
    const img = document.createElement("img");
    img.src = fileUrl(m.photo);
    img.alt = "photo";
    img.className = "photo";
    div.append(img);
  }
  if (m.document) div.append(documentOf(m.document));
  if (m.location) {
    div.append(Street.ready() ? Street.pin(m.location.lat, m.location.lon) : document.createTextNode(""));
    const where = document.createElement("div");
    where.className = "where";
    where.textContent = `📍 ${m.location.lat.toFixed(5)}, ${m.location.lon.toFixed(5)}`;
    div.append(where);
  }
  if (m.venue) {
    const venue = document.createElement("div");
    venue.className = "venue";
    venue.textContent = `${m.venue.title} · ${m.venue.address}`;
    div.append(venue);
  }
  if (m.other) {
    const other = document.createElement("div");
    other.className = "other";
    other.textContent = `[${m.other}]`;
    div.append(other);
  }
  const words = m.text ?? m.caption;
  if (words != null) {
    const text = document.createElement("div");
    text.className = "text";
    if (m.html) text.append(telegramHtml(m.html));
    else text.textContent = words;
    div.append(text);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = (m.edited ? "已编辑 edited · " : "") + timeOf(m.date);
  div.append(meta);
  if (m.inline) div.append(inlineKeyboard(key, m));
  return div;
}

function documentOf(doc) {
  if (doc.mime.startsWith("image/")) {
    const img = document.createElement("img");
    img.src = fileUrl(doc.file_id);
    img.alt = doc.name;
    img.className = "photo";
    return img;
  }
  const link = document.createElement("a");
  link.className = "document";
  link.href = fileUrl(doc.file_id);
  link.download = doc.name;
  link.textContent = `📄 ${doc.name}`;
  return link;
}

function inlineKeyboard(key, m) {
  const board = document.createElement("div");
  board.className = "inline";
  for (const row of m.inline) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      if (button.url) {
        const link = document.createElement("a");
        link.href = button.url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        link.textContent = button.text + " ↗";
        line.append(link);
        continue;
      }
      const press = document.createElement("button");
      press.type = "button";
      press.textContent = button.text;
      press.addEventListener("click", () =>
        act(key, "press", { message_id: m.id, data: button.callback_data }));
      line.append(press);
    }
    board.append(line);
  }
  return board;
}

// --- a phone -----------------------------------------------------------------------------------

function put(key, m) {
  const phone = state.phones[key];
  if (!phone) return;
  const node = bubble(key, m);
  const old = phone.chat.querySelector(`.msg[data-id="${m.id}"]`);
  if (old) old.replaceWith(node); // an edit, in place
  else {
    const last = phone.chat.lastElementChild;
    if (m.album && last && last.dataset.album === m.album) last.append(node);
    else if (m.album) {
      const album = document.createElement("div");
      album.className = "album " + (m.bot ? "bot" : "me");
      album.dataset.album = m.album;
      album.append(node);
      phone.chat.append(album);
    } else phone.chat.append(node);
    phone.chat.scrollTop = phone.chat.scrollHeight;
  }
  if ("keyboard" in m) menu(key, m.keyboard);
}

function menu(key, rows) {
  const box = state.phones[key].menu;
  box.replaceChildren();
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      const press = document.createElement("button");
      press.type = "button";
      press.textContent = button.text;
      if (button.location) press.addEventListener("click", () => pickLocation(key));
      else if (button.contact) {
        press.disabled = true;
        press.title = "not in the sandbox";
      } else press.addEventListener("click", () => act(key, "text", { text: button.text }));
      line.append(press);
    }
    box.append(line);
  }
}

function toast(key, text, alert) {
  const phone = state.phones[key];
  if (!phone || !text) return;
  phone.toast.textContent = text;
  phone.toast.classList.toggle("alert", Boolean(alert));
  phone.toast.hidden = false;
  clearTimeout(phone.toastTimer);
  phone.toastTimer = setTimeout(() => (phone.toast.hidden = true), alert ? 6000 : 2500);
}

function buildPhone(info) {
  const node = document.getElementById("phone-template").content.firstElementChild.cloneNode(true);
  node.dataset.phone = info.key;
  node.classList.add(info.kind);
  node.querySelector(".phone-title").textContent = info.title;
  const phone = {
    node,
    chat: node.querySelector(".chat"),
    menu: node.querySelector(".menu"),
    toast: node.querySelector(".toast"),
  };
  state.phones[info.key] = phone;
  const form = node.querySelector(".composer");
  const input = node.querySelector(".compose-text");
  const attachMenu = node.querySelector(".attach-menu");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!input.value.trim()) return;
    act(info.key, "text", { text: input.value });
    input.value = "";
  });
  node.querySelector(".attach").addEventListener("click", () => (attachMenu.hidden = !attachMenu.hidden));
  const samples = node.querySelector(".samples");
  for (const name of state.samples) {
    const sample = document.createElement("button");
    sample.type = "button";
    sample.dataset.sample = name;
    sample.title = name;
    const img = document.createElement("img");
    img.src = `/static/samples/${name}`;
    img.alt = name;
    sample.append(img);
    sample.addEventListener("click", () => {
      attachMenu.hidden = true;
      act(info.key, "photo", { sample: name });
    });
    samples.append(sample);
  }
  for (const [selector, what] of [[".pick-photo", "photo"], [".pick-file", "document"]]) {
    const picker = node.querySelector(selector);
    picker.addEventListener("change", () => {
      if (!picker.files.length) return;
      const form = new FormData();
      form.append("file", picker.files[0], picker.files[0].name);
      attachMenu.hidden = true;
      act(info.key, what, form);
      picker.value = "";
    });
  }
  node.querySelector(".pick-location").addEventListener("click", () => {
    attachMenu.hidden = true;
    pickLocation(info.key, "location");
  });
  node.querySelector(".pick-live").addEventListener("click", () => {
    attachMenu.hidden = true;
    pickLocation(info.key, "live"); // the first point starts it, the next ones move it
  });
  return node;
}

// --- the map -----------------------------------------------------------------------------------

function pickLocation(key, what) {
  state.picking = key;
  state.pickingWhat = what;
  document.getElementById("map-dialog").showModal();
}

function drawMap() {
  const map = document.getElementById("map");
  map.replaceChildren(Street.draw((point) => {
    const key = state.picking;
    document.getElementById("map-dialog").close();
    if (key) act(key, state.pickingWhat || "location", point);
  }));
}

// --- the live feed -----------------------------------------------------------------------------

function snapshot(event) {
  state.tz = event.clock.tz;
  state.samples = event.samples;
  showClock(event.clock);
  const phones = document.getElementById("phones");
  phones.replaceChildren();
  state.phones = {};
  for (const info of event.phones) phones.append(buildPhone(info));
  for (const info of event.phones) for (const m of event.messages[info.key]) put(info.key, m);
}

function showClock(clock) {
  const now = new Date(clock.now);
  document.getElementById("now").textContent = now.toLocaleString("zh-CN", {
    timeZone: clock.tz, weekday: "short", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit",
  });
  document.getElementById("now").dateTime = clock.now;
}

function status(text, ok) {
  const box = document.getElementById("status");
  box.textContent = text;
  box.classList.toggle("ok", ok);
}

function listen() {
  const feed = new EventSource("/api/events");
  feed.onopen = () => status("已连接 live", true);
  feed.onerror = () => status("重新连接 reconnecting…", false);
  feed.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "snapshot") snapshot(event);
    else if (event.type === "message") put(event.phone, event.message);
    else if (event.type === "deleted") {
      const gone = state.phones[event.phone]?.chat.querySelector(`.msg[data-id="${event.id}"]`);
      if (gone) gone.remove();
    } else if (event.type === "answer") toast(event.phone, event.text, event.alert);
    else if (event.type === "clock") showClock(event.clock);
    window.sandboxSeen.push([Date.now(), event.type, event.phone || null, event.message?.id ?? null]);
  };
}

function controls() {
  for (const button of document.querySelectorAll("[data-move]")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await post("/api/clock", { move: button.dataset.move });
      } catch (error) {
        status("⚠ " + error.message, false);
      } finally {
        button.disabled = false;
      }
    });
  }
  const reset = document.getElementById("reset");
  reset.addEventListener("click", async () => {
    reset.disabled = true;
    status("重置中 resetting…", false);
    try {
      await post("/api/reset");
      status("已连接 live", true);
    } catch (error) {
      status("⚠ " + error.message, false);
    } finally {
      reset.disabled = false;
    }
  });
}

async function start() {
  controls();
  const street = await (await fetch("/api/street")).json();
  Street.load(street);
  drawMap();
  listen();
}

start();
