// Times in the pages (<time datetime>, rendered by web/templates/time.mustache):
// the tooltip shows the exact time in this browser's time zone, and "3 minutes
// ago" stays true while the page is open. The words follow FormatAgo in
// src/web/ui_format.cpp.
(function () {
  const UNITS = [
    ["year", 365 * 86400],
    ["month", 30 * 86400],
    ["day", 86400],
    ["hour", 3600],
    ["minute", 60],
  ];
  const EXACT = new Intl.DateTimeFormat(undefined, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZoneName: "short",
  });

  function ago(ms, now) {
    const diff = now - ms;
    const seconds = Math.floor(Math.abs(diff) / 1000);
    for (const [name, size] of UNITS) {
      const n = Math.floor(seconds / size);
      if (seconds < 60 || n === 0) continue;
      const amount = n + " " + name + (n === 1 ? "" : "s");
      return diff < 0 ? "in " + amount : amount + " ago";
    }
    return "just now";
  }

  function update(root) {
    const now = Date.now();
    for (const el of root.querySelectorAll("time[datetime]")) {
      const ms = Date.parse(el.getAttribute("datetime"));
      if (Number.isNaN(ms)) continue;
      el.title = EXACT.format(new Date(ms));
      el.textContent = ago(ms, now);
    }
  }

  update(document);
  document.addEventListener("htmx:afterSettle", (event) => update(event.target));
  setInterval(() => update(document), 30000);
})();
