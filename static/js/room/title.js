// The tab's title carries what must reach the eye when the tab is in the background: a
// support request (facilitators) before "your turn", before the page's own title.

const PRIORITY = ["alerts", "turn"];
const wanted = new Map();
let base = null;

export function setTitle(key, text) {
  if (base === null) base = document.title;
  if (text) wanted.set(key, text);
  else wanted.delete(key);
  const first = PRIORITY.find((name) => wanted.has(name));
  document.title = first ? `${wanted.get(first)} · Hearth` : base;
}
