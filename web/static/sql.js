// SQL console: Ctrl-Enter, the query history and each query's chart choice,
// kept in this browser's localStorage (the server keeps none). Running and
// paging is htmx's work (see sql.mustache); the server draws the charts.
(function () {
  const KEY = "lakehouse.sql.history";
  const VIEWS_KEY = "lakehouse.sql.views";
  const MAX = 30;
  const MAX_VIEWS = 200;
  const CHART_FIELDS = ["view", "label", "value", "kind"];
  const form = document.getElementById("sql-form");
  const list = document.getElementById("history");
  const panel = document.getElementById("history-panel");
  const textarea = document.getElementById("q");

  function readJson(key, fallback) {
    try {
      const value = JSON.parse(localStorage.getItem(key) || "null");
      return value === null ? fallback : value;
    } catch (e) {
      return fallback;
    }
  }

  function writeJson(key, value) {
    try {
      localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      // Storage full or disabled: history and choices are conveniences only.
    }
  }

  function load() {
    const items = readJson(KEY, []);
    return Array.isArray(items) ? items.filter((q) => typeof q === "string") : [];
  }

  // A query's remembered chart choice, {view, label, value, kind}, or null.
  function viewOf(sql) {
    const views = readJson(VIEWS_KEY, {});
    const view = views && typeof views === "object" ? views[sql.trim()] : null;
    return view && typeof view === "object" ? view : null;
  }

  function rememberView(sql, view) {
    const key = sql.trim();
    if (!key) return;
    const views = readJson(VIEWS_KEY, {});
    const kept = views && typeof views === "object" && !Array.isArray(views) ? views : {};
    delete kept[key];
    kept[key] = view; // newest last: the oldest go first when there are too many
    const keys = Object.keys(kept);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_VIEWS))) delete kept[old];
    writeJson(VIEWS_KEY, kept);
  }

  function withView(params, view) {
    for (const field of CHART_FIELDS) {
      if (view && typeof view[field] === "string" && view[field]) params.set(field, view[field]);
    }
    return params;
  }

  function render() {
    const items = load();
    list.replaceChildren();
    for (const q of items) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/ui/sql?" + withView(new URLSearchParams({ q: q }), viewOf(q));
      a.textContent = q; // text, never markup
      li.append(a);
      list.append(li);
    }
    panel.hidden = items.length === 0;
  }

  function remember(q) {
    q = q.trim();
    if (!q) return;
    writeJson(KEY, [q, ...load().filter((x) => x !== q)].slice(0, MAX));
    render();
  }

  // Ctrl-Enter (Cmd-Enter on a Mac) runs the query, through htmx like the
  // button. A handler here rather than an hx-trigger filter: filters are
  // evaluated code, which the page's CSP does not allow.
  textarea.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      htmx.trigger(form, "submit");
    }
  });
  form.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt === form) remember(textarea.value);
  });
  // A query run again opens as it was last shown.
  form.addEventListener("htmx:configRequest", (event) => {
    if (event.detail.elt !== form) return;
    const view = viewOf(textarea.value);
    for (const field of CHART_FIELDS) {
      if (view && typeof view[field] === "string" && view[field]) {
        event.detail.parameters[field] = view[field];
      }
    }
  });
  // The chart controls are swapped in with each result, so they are
  // listened to from the document.
  document.addEventListener("change", (event) => {
    const controls = event.target.closest && event.target.closest("#chart-controls");
    if (!controls) return;
    const data = new FormData(controls);
    const view = {};
    for (const field of CHART_FIELDS) {
      if (data.get(field)) view[field] = String(data.get(field));
    }
    rememberView(String(data.get("q") || ""), view);
    render();
  });
  document.getElementById("clear-history").addEventListener("click", () => {
    localStorage.removeItem(KEY);
    render();
  });
  // The field a failed query concerns is marked while its error shows.
  document.body.addEventListener("htmx:afterSettle", () => {
    const failed = document.querySelector("#sql-error .error") !== null;
    if (failed) textarea.setAttribute("aria-invalid", "true");
    else textarea.removeAttribute("aria-invalid");
  });

  // A query opened by its URL counts as run; opened without a choice in the
  // URL, it is shown as this browser last chose to show it.
  if (textarea.value.trim() && document.querySelector("#result table, #sql-error .error")) {
    remember(textarea.value);
    const url = new URL(window.location.href);
    const view = viewOf(textarea.value);
    const controls = document.getElementById("chart-controls");
    const differs =
      view && controls && CHART_FIELDS.some((f) => view[f] && view[f] !== controls.dataset[f]);
    if (differs && !CHART_FIELDS.some((f) => url.searchParams.has(f))) {
      withView(url.searchParams, view);
      history.replaceState(history.state, "", url);
      htmx.ajax("GET", url.pathname + url.search, { target: "#result" });
    }
  }
  render();
})();
