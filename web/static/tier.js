// The Tier tab's chart: choosing a month (a bar, or a month of the table
// view) lists its movements below the chart without reloading the page;
// the URL follows, so that it can be shared, reloaded and gone back to.
// Without this script the same links load the whole page. A client's
// name opens its panel over the tab (app.js).
(function () {
  "use strict";

  // A phone scrolls the chart inside its box: start at the latest months.
  document.querySelectorAll("figure.chart").forEach(function (f) { f.scrollLeft = f.scrollWidth; });

  const slot = document.getElementById("month-slot");
  if (!slot) return;

  function select(month) {
    document.querySelectorAll("svg.bars a.bar").forEach(function (a) {
      const on = a.dataset.month === month;
      a.classList.toggle("selected", on);
      if (on) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
    });
  }

  async function show(href, push) {
    const u = new URL(href, location.href);
    const res = await fetch(u, { headers: { "X-Partial": "month" }, credentials: "same-origin" });
    if (!res.ok) { location.href = u; return; }
    slot.innerHTML = await res.text();
    select(u.searchParams.get("month"));
    if (push) history.pushState({ month: true }, "", u);
    document.getElementById("month-h")?.focus();
  }

  // Closing the month gives focus back to its bar, when focus was in it.
  function hide(push) {
    const bar = slot.contains(document.activeElement) && document.querySelector("svg.bars a.bar.selected");
    slot.innerHTML = "";
    select("");
    if (bar) bar.focus();
    const u = new URL(location.href);
    u.searchParams.delete("month");
    u.hash = "";
    if (push) history.pushState({}, "", u);
  }

  document.addEventListener("click", function (e) {
    const a = e.target.closest("a");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    const href = a.getAttribute("href") || "";
    if (a.matches("svg.bars a.bar, table[data-testid=chart-table] a")) {
      e.preventDefault();
      show(href, true);
    } else if (a.matches("#month a.close")) {
      e.preventDefault();
      hide(true);
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && !e.defaultPrevented && slot.firstElementChild && !document.querySelector("dialog[open]")) hide(true);
  });

  window.addEventListener("popstate", function () {
    // A client's panel opened over the tab has a URL of its own: the
    // month stays shown under it.
    if (/\/clients\/\d+$/.test(location.pathname)) return;
    const month = new URL(location.href).searchParams.get("month");
    if (month) show(location.href, false); else hide(false);
  });
})();
