// What opens and closes: the menu, the panels (transcript, chapters, queue), the help, the
// mini-bar; and "copy a link to this point". Methods of Player.
import { clock, fill } from "./format.js";

export const panels = {
  // -- Panels and menu ---------------------------------------------------------------------
  // open: true/false/"toggle"; available: whether the panel exists for this entry at all.
  setPanel(name, open, { available } = {}) {
    const v = this.view;
    const toggle = v.toggles[name];
    const { section } = v.panels[name];
    if (available !== undefined) toggle.hidden = !available;
    const now = open === "toggle" ? toggle.getAttribute("aria-expanded") !== "true" : open;
    const show = Boolean(now) && !toggle.hidden;
    toggle.setAttribute("aria-expanded", String(show));
    section.hidden = !show;
    if (show && name === "transcript" && this.sentences[this.current]) this.follow(this.sentences[this.current].el);
    return show;
  },

  setMenu(open, { focus = false } = {}) {
    const v = this.view;
    v.menu.hidden = !open;
    v.more.setAttribute("aria-expanded", String(open));
    if (open) {
      this.labelEntry();
      if (focus) {
        const first = [...v.menu.querySelectorAll("button, a, input")].find((el) => !el.hidden);
        if (first) first.focus();
      }
    } else if (v.menu.contains(document.activeElement)) v.more.focus();
  },

  async copyLink() {
    const at = clock(this.audio.currentTime);
    const url = new URL(window.location.href);
    url.hash = `t=${at}`;
    // No clipboard (an insecure page), a refusal, or a permission prompt left unanswered: the
    // link, selectable, in the notice; a write that never settles must not leave silence.
    const written = navigator.clipboard
      ? navigator.clipboard.writeText(url.href).then(() => true, () => false)
      : Promise.resolve(false);
    const late = new Promise((done) => window.setTimeout(() => done(false), 1500));
    if (await Promise.race([written, late])) this.say(fill(this.t.copied, { url: url.href }), { kind: "copied" });
    else this.say(`${this.t.copyHere} ${url.href}`, { kind: "copied" });
    this.copiedLink = url.href;
  },

  openHelp() {
    this.setMenu(false);
    const dialog = this.view.helpDialog;
    this.helpReturn = document.activeElement;
    if (dialog.showModal) dialog.showModal();
    else dialog.setAttribute("open", "");
    this.view.helpClose.focus();
  },

  closeHelp() {
    const dialog = this.view.helpDialog;
    if (dialog.open) dialog.close();
    const back = this.helpReturn && this.root.contains(this.helpReturn) ? this.helpReturn : this.view.play;
    back.focus();
  },

  // The mini-bar (page.js decides when): a dismissed one stays away until the player is seen.
  hideMini() {
    this.miniDismissed = true;
    this.setMini(false);
    this.view.play.focus({ preventScroll: true });
  },

  leaveMini() {
    if (this.root.dataset.mini === "true") {
      this.setMini(false);
      this.root.scrollIntoView({ block: "nearest" });
    }
  },

  setMini(on) {
    const v = this.view;
    if (on === (this.root.dataset.mini === "true")) return;
    if (on) v.main.style.minHeight = `${v.bar.offsetHeight}px`; // no jump where the bar was
    else v.main.style.minHeight = "";
    this.root.dataset.mini = String(on);
    // Page content under the bar stays reachable: focus scrolled into view clears the bar.
    const html = document.documentElement;
    if (on && !html.style.scrollPaddingBottom) {
      html.style.scrollPaddingBottom = `${v.bar.offsetHeight + 8}px`;
      this.paddedPage = true;
    } else if (!on && this.paddedPage) {
      html.style.scrollPaddingBottom = "";
      this.paddedPage = false;
    }
  },
};
