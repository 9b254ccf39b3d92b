// Keyboard shortcuts: they work while focus is anywhere in the player, never in a form field
// (the slider, the volume and the speed keep their own keys), never with Ctrl, Alt or Meta.
// Keys are matched by position (event.code) too, so they work on Arabic or Spanish layouts.

const FORM_FIELDS = new Set(["INPUT", "SELECT", "TEXTAREA"]);
const LETTERS = { KeyK: "k", KeyJ: "j", KeyL: "l", KeyM: "m", KeyN: "n" };

function shortcut(event) {
  const key = event.key || "";
  if (key.length === 1 && "<>,.[]?".includes(key)) return key;
  if (/^[kjlmn]$/i.test(key)) return key.toLowerCase();
  if (/^\d$/.test(key)) return key;
  if (key === "ArrowLeft" || key === "ArrowRight") return key;
  if (key === "؟") return "?"; // the Arabic question mark
  // Another layout (Arabic, Greek...): the key at the same place on a US keyboard.
  const code = event.code || "";
  if (LETTERS[code]) return LETTERS[code];
  if (/^Digit\d$/.test(code) && !event.shiftKey) return code.slice(5);
  if (code === "Comma") return event.shiftKey ? "<" : ",";
  if (code === "Period") return event.shiftKey ? ">" : ".";
  if (code === "BracketLeft") return "[";
  if (code === "BracketRight") return "]";
  if (code === "Slash" && event.shiftKey) return "?";
  return "";
}

// Up/Down (and Home/End) move between the menu's items, as in a menu of links.
function moveInMenu(menu, event) {
  // The volume slider keeps its arrows; Tab reaches it.
  const items = [...menu.querySelectorAll("button, a[href]")].filter((el) => !el.closest("[hidden]") && !el.hidden);
  const at = items.indexOf(document.activeElement);
  const next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[event.key];
  if (next === undefined || !items.length) return false;
  items[(next + items.length) % items.length].focus();
  return true;
}

export function bindKeys(player) {
  player.root.addEventListener("keydown", (event) => {
    const v = player.view;
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    if (target.closest("dialog")) return; // the help dialog: Tab, Esc and its button
    if (event.key === "Escape") {
      if (!v.menu.hidden) player.setMenu(false);
      else if (player.root.dataset.mini === "true") return player.hideMini();
      else return;
      v.more.focus();
      return event.preventDefault();
    }
    if (v.menu.contains(target) && target.type !== "range" && moveInMenu(v.menu, event)) return event.preventDefault();
    if (FORM_FIELDS.has(target.tagName) || target.isContentEditable) return;
    const key = shortcut(event);
    if (key === "k") player.toggle(event);
    else if (key === "j" || key === "ArrowLeft") player.skip(-15);
    else if (key === "l" || key === "ArrowRight") player.skip(15);
    else if (key === "m") player.toggleMute();
    else if (key === "n") player.next(event);
    else if (key === "<") player.stepRate(-1);
    else if (key === ">") player.stepRate(1);
    else if (key === "[") player.move(-1, { paragraph: true });
    else if (key === "]") player.move(1, { paragraph: true });
    else if (key === ",") player.move(-1);
    else if (key === ".") player.move(1);
    else if (key === "?") player.openHelp();
    else if (/^\d$/.test(key)) {
      player.seek((player.end * Number(key)) / 10);
      player.sayPositionSoon();
    } else return;
    event.preventDefault();
  });
}
