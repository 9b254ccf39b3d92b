// Words, numbers and times as the listener reads or hears them, and one DOM helper.
import { MESSAGES } from "./messages.js";

export const RTL = new Set(["ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ku", "ug"]);

export const baseLanguage = (code) =>
  String(code || "")
    .toLowerCase()
    .split(/[-_]/)[0];

// The words for a language, English where we have none (uiLang says which one we used).
export function wordsFor(code) {
  const lang = baseLanguage(code) || "en";
  const uiLang = MESSAGES[lang] ? lang : "en";
  return { lang, uiLang, t: MESSAGES[uiLang], dir: RTL.has(lang) ? "rtl" : "ltr" };
}

export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
}

// A title inside a sentence of another direction ("Next: تونس ... 2025") is isolated, or the
// bidi algorithm pulls its numbers and punctuation into the surrounding text.
export const isolate = (text) => `\u2068${text}\u2069`;

function hms(s) {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

// A position: whole seconds elapsed, as every player counts ("1:05" after 65.9 s).
export const clock = (seconds) => hms(Math.max(0, Math.floor(seconds || 0)));

// A duration: rounded to the nearest second, as the feed and the CLI print it (185.6 s -> 3:06).
export const duration = (seconds) => hms(Math.max(0, Math.round(seconds || 0)));

// "1:05" or "1:02:03" -> seconds; also plain seconds ("65", "65.5"). NaN when neither.
export function parseClock(text) {
  const value = String(text || "").trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const match = /^(?:(\d+):)?(\d{1,2}):(\d{2})$/.exec(value);
  if (!match) return NaN;
  return Number(match[1] || 0) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

// "1 minute 5 seconds": what a screen reader should say for a position, with the language's
// own plural forms from Intl (Arabic has six).
export function spokenTime(seconds, lang, round = false) {
  const s = Math.max(0, round ? Math.round(seconds || 0) : Math.floor(seconds || 0));
  const parts = [
    ["hour", Math.floor(s / 3600)],
    ["minute", Math.floor((s % 3600) / 60)],
    ["second", s % 60],
  ].filter(([, n], i, all) => n > 0 || (i === all.length - 1 && s === 0));
  try {
    const words = parts.map(([unit, n]) =>
      new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay: "long" }).format(n),
    );
    return new Intl.ListFormat(lang, { type: "unit", style: "narrow" }).format(words);
  } catch (_) {
    return parts.map(([unit, n]) => `${n} ${unit}${n === 1 ? "" : "s"}`).join(" ");
  }
}

export function rateLabel(rate, lang) {
  try {
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(rate) + "×";
  } catch (_) {
    return `${rate}×`;
  }
}

export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}
