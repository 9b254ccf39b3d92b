// Read-along on the publisher's own page: each narration sentence is found in the article's
// text, by its written form, and lit in place with the CSS Custom Highlight API.
//
// Matching compares "keys": the text folded to lower-case letters and digits, without accents,
// Arabic vowel marks or tatweel, with Arabic-Indic digits as ASCII. Whitespace, entities (the
// browser has decoded them), punctuation, typographic quotes and soft hyphens drop out, so
// "Trump’s  presidency" on the page finds "Trump's presidency" in the timings.

const NAME = "listen-sentence";
// Text the listener does not read as the article: never matched, never clickable.
const SKIP = "script,style,noscript,template,textarea,select,button,input,svg,math,[hidden],.listen-player,[data-listen-skip]";
const BLOCKS = "p,li,h1,h2,h3,h4,h5,h6,blockquote,figcaption,dd,dt,td,th,pre";
const ANCHOR = 12; // key characters that anchor a sentence whose middle differs from the page
const INTERACTIVE = "a,button,input,select,textarea,label,summary,[contenteditable],[tabindex]";

export function foldKey(text) {
  return String(text)
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[\p{M}\u0640]/gu, "")
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x660))
    .replace(/[\u06f0-\u06f9]/g, (d) => String(d.charCodeAt(0) - 0x6f0))
    .replace(/[^\p{L}\p{N}]/gu, "");
}

export const highlightSupported = () =>
  typeof CSS !== "undefined" && "highlights" in CSS && typeof window.Highlight === "function";

// The article's text as one key string, with where each key character came from.
function indexText(root) {
  const nodes = [];
  const nodeOf = [];
  const startOf = [];
  const endOf = [];
  let key = "";
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode: (node) =>
      node.nodeType === 1
        ? node.matches(SKIP)
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_SKIP
        : NodeFilter.FILTER_ACCEPT,
  });
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data;
    const n = nodes.push(node) - 1;
    let offset = 0;
    for (const ch of text) {
      const folded = foldKey(ch);
      for (const k of folded) {
        key += k;
        nodeOf.push(n);
        startOf.push(offset);
        endOf.push(offset + ch.length);
      }
      offset += ch.length;
    }
  }
  return { key, nodes, nodeOf, startOf, endOf };
}

const isWord = (ch) => /[\p{L}\p{N}\s]/u.test(ch);

export class PageHighlighter {
  // root: the article element; sentences: [{text}] in time order.
  constructor(root, sentences) {
    this.root = root;
    this.ranges = sentences.map(() => null);
    this.missing = [];
    this.current = -1;
    this.highlight = null;
    if (!root) return;
    const text = indexText(root);
    let cursor = 0;
    sentences.forEach((sentence, i) => {
      const found = this.locate(text, foldKey(sentence.text), cursor);
      if (!found) {
        this.missing.push(sentence.text);
        return;
      }
      this.ranges[i] = this.rangeOf(text, found[0], found[1]);
      if (found[0] >= cursor) cursor = found[1];
    });
  }

  get mapped() {
    return this.ranges.filter(Boolean).length;
  }

  // [start, end) in the page key, preferring what follows the previous sentence.
  locate(text, key, cursor) {
    if (!key) return null;
    const page = text.key;
    let at = page.indexOf(key, cursor);
    if (at < 0) at = page.indexOf(key);
    if (at >= 0) return [at, at + key.length];
    if (key.length < ANCHOR * 2 + 4) return null;
    // A sentence the extractor changed inside (a dropped footnote mark, a rewritten number):
    // its first and last words still anchor it, close enough together.
    const head = key.slice(0, ANCHOR);
    const tail = key.slice(-ANCHOR);
    for (let from = cursor; ; ) {
      const start = page.indexOf(head, from);
      if (start < 0) break;
      const end = page.indexOf(tail, start + ANCHOR);
      if (end >= 0 && end + ANCHOR - start <= key.length * 1.3 + 8) return [start, end + ANCHOR];
      from = start + 1;
    }
    return null;
  }

  rangeOf(text, start, end) {
    const range = document.createRange();
    const first = text.nodes[text.nodeOf[start]];
    const last = text.nodes[text.nodeOf[end - 1]];
    let from = text.startOf[start];
    let to = text.endOf[end - 1];
    // Take in the sentence's own punctuation: an opening «, a closing .» or ).
    while (from > 0 && !isWord(first.data[from - 1])) from--;
    while (to < last.data.length && !isWord(last.data[to])) to++;
    range.setStart(first, from);
    range.setEnd(last, to);
    return range;
  }

  // Light one sentence (-1: none). Returns whether the page shows it.
  show(index) {
    if (index === this.current) return Boolean(this.ranges[index]);
    this.current = index;
    const range = this.ranges[index];
    if (!range) {
      CSS.highlights.delete(NAME);
      return false;
    }
    if (!this.highlight) this.highlight = new window.Highlight();
    this.highlight.clear();
    this.highlight.add(range);
    CSS.highlights.set(NAME, this.highlight);
    return true;
  }

  clear() {
    this.current = -1;
    if (highlightSupported()) CSS.highlights.delete(NAME);
  }

  // The sentence under a click on the article, or the first one of the paragraph clicked; -1.
  hit(event) {
    if (!this.root || !this.root.contains(event.target)) return -1;
    if (event.target.closest(SKIP) || event.target.closest(INTERACTIVE)) return -1;
    const selection = window.getSelection && window.getSelection();
    if (selection && !selection.isCollapsed) return -1; // selecting text to copy it
    let node = null;
    let offset = 0;
    if (document.caretPositionFromPoint) {
      const caret = document.caretPositionFromPoint(event.clientX, event.clientY);
      if (caret) [node, offset] = [caret.offsetNode, caret.offset];
    } else if (document.caretRangeFromPoint) {
      const caret = document.caretRangeFromPoint(event.clientX, event.clientY);
      if (caret) [node, offset] = [caret.startContainer, caret.startOffset];
    }
    if (node && event.target.contains(node)) {
      const inside = this.ranges.findIndex((r) => r && r.isPointInRange(node, offset));
      if (inside >= 0) return inside;
    }
    const block = event.target.closest(BLOCKS);
    if (!block || !this.root.contains(block)) return -1;
    return this.ranges.findIndex((r) => r && r.intersectsNode(block));
  }

  // Paragraphs that hold a sentence get data-listen-seekable (a pointer while listening).
  mark() {
    for (const block of this.blocks()) block.dataset.listenSeekable = "";
  }

  detach() {
    this.clear();
    for (const block of this.blocks()) delete block.dataset.listenSeekable;
  }

  blocks() {
    const found = new Set();
    for (const range of this.ranges) {
      if (!range) continue;
      const el = range.startContainer.parentElement;
      const block = el && el.closest(BLOCKS);
      if (block && this.root.contains(block)) found.add(block);
    }
    return [...found];
  }

  // The element to scroll to for a sentence (its paragraph).
  elementOf(index) {
    const range = this.ranges[index];
    if (!range) return null;
    const el = range.startContainer.parentElement;
    return (el && el.closest(BLOCKS)) || el;
  }
}

// Where the article's text may be, narrowest first: data-listen-text="selector" alone if given,
// else the element's <article> (or the page's only one), <main>, the body.
export function articleRoots(host) {
  const chosen = host.dataset.listenText;
  if (chosen) return [document.querySelector(chosen)].filter(Boolean);
  const articles = document.querySelectorAll("article");
  const roots = [
    host.closest("article") || (articles.length === 1 ? articles[0] : null),
    document.querySelector("main"),
    document.body,
  ];
  return roots.filter((root, i) => root && roots.indexOf(root) === i);
}
