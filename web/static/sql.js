// SQL console: Ctrl-Enter, and the query history, kept in this browser's
// localStorage (the server keeps none). Running and paging is htmx's work
// (see sql.mustache).
(function () {
  const KEY = "lakehouse.sql.history";
  const MAX = 30;
  const form = document.getElementById("sql-form");
  const list = document.getElementById("history");
  const textarea = document.getElementById("q");

  function load() {
    try {
      const items = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(items) ? items.filter((q) => typeof q === "string") : [];
    } catch (e) {
      return [];
    }
  }

  function render() {
    list.replaceChildren();
    for (const q of load()) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "/ui/sql?q=" + encodeURIComponent(q);
      a.textContent = q; // text, never markup
      li.append(a);
      list.append(li);
    }
  }

  function remember(q) {
    q = q.trim();
    if (!q) return;
    const items = [q, ...load().filter((x) => x !== q)].slice(0, MAX);
    try {
      localStorage.setItem(KEY, JSON.stringify(items));
    } catch (e) {
      // Storage full or disabled: the history is a convenience only.
    }
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
  document.getElementById("clear-history").addEventListener("click", () => {
    localStorage.removeItem(KEY);
    render();
  });
  // A query opened by its URL counts as run.
  if (textarea.value.trim() && document.querySelector("#result table, #result .error")) {
    remember(textarea.value);
  }
  render();
})();
