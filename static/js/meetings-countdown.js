// Keeps "starts in ..." countdowns fresh: every element with data-countdown="<ISO time>".
const MINUTE = 60 * 1000;

function describe(ms) {
  if (ms <= 0) return "starting now";
  const minutes = Math.round(ms / MINUTE);
  if (minutes < 60) return `starts in ${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return `starts in ${hours} hour${hours === 1 ? "" : "s"}${rest ? ` ${rest} min` : ""}`;
  }
  const days = Math.round(hours / 24);
  return `starts in ${days} days`;
}

function tick() {
  const now = Date.now();
  for (const element of document.querySelectorAll("[data-countdown]")) {
    const start = Date.parse(element.dataset.countdown);
    if (!Number.isNaN(start)) element.textContent = describe(start - now);
  }
}

tick();
setInterval(tick, 30 * 1000);
