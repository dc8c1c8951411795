// Progressive enhancement for Partnerdesk's pages: every link and form
// works without this script; with it, the client panel opens in place
// (over any page that has a panel slot), its tabs work with the arrow
// keys, and End services and renewal decisions ask in a dialog.
(function () {
  "use strict";

  // Narrower than a laptop, the side navigation and the account links
  // fold away behind the menu button (app.css); without this script
  // they stay on the page.
  document.documentElement.classList.add("js");
  const menuButton = document.querySelector(".menu-button");

  function setMenu(open) {
    if (!menuButton) return;
    menuButton.setAttribute("aria-expanded", String(open));
    document.documentElement.classList.toggle("menu-open", open);
  }

  menuButton?.addEventListener("click", function () {
    setMenu(menuButton.getAttribute("aria-expanded") !== "true");
  });

  // The page the panel was opened over, when it is not the client list:
  // closing the panel goes back to it.
  let returnTo = null;

  function slot() { return document.getElementById("panel-slot"); }

  function isPanelURL(u) { return /^\/partners\/\d+\/clients\/\d+$/.test(u.pathname); }

  async function loadPanel(href, push) {
    const u = new URL(href, location.href);
    if (push === true && !isPanelURL(location)) returnTo = location.pathname + location.search;
    const res = await fetch(u, { headers: { "X-Partial": "panel" }, credentials: "same-origin" });
    if (!res.ok) { location.href = u; return; }
    slot().innerHTML = await res.text();
    if (push) history.pushState({ panel: true }, "", u);
    const tab = slot().querySelector('[role="tab"][aria-selected="true"]');
    const h = slot().querySelector("#panel-h");
    (push === "tab" && tab ? tab : h)?.focus();
  }

  function closePanel(push) {
    const p = document.getElementById("panel");
    if (!p) return;
    const to = returnTo || p.dataset.close;
    returnTo = null;
    slot().innerHTML = "";
    if (push) history.pushState({}, "", to);
  }

  document.addEventListener("click", function (e) {
    const a = e.target.closest("a");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    if (a.matches("[data-end-services]")) {
      e.preventDefault();
      a.closest("details")?.removeAttribute("open");
      const d = document.getElementById("confirm-end");
      d.querySelector("form").action = a.href;
      d.querySelector(".who").textContent = a.dataset.endServices;
      d.showModal();
      d.querySelector("button.cancel").focus();
      return;
    }
    if (a.matches("[data-panel]")) {
      e.preventDefault();
      a.closest("details")?.removeAttribute("open");
      loadPanel(a.href, true);
      return;
    }
    if (a.closest("#panel")) {
      if (a.matches(".close")) { e.preventDefault(); closePanel(true); }
      else if (a.getAttribute("role") === "tab") { e.preventDefault(); loadPanel(a.href, "tab"); }
    }
  });

  document.addEventListener("click", function (e) {
    if (e.target.matches("#confirm-end button.cancel")) document.getElementById("confirm-end").close();
  });

  // A form with data-confirm="DIALOG" asks in that dialog first: its
  // .what shows the chosen option's data-label, its .note the note. On
  // OK the form goes with confirm=yes; without the script the server asks
  // on a page of its own.
  document.addEventListener("submit", function (e) {
    const form = e.target;
    if (!form.matches("form[data-confirm]") || form.elements.confirm.value === "yes") return;
    const d = document.getElementById(form.dataset.confirm);
    if (!d) return;
    e.preventDefault();
    const choice = form.querySelector("input[type=radio]:checked");
    const what = d.querySelector(".what");
    if (what) what.textContent = choice ? choice.dataset.label : form.dataset.label || "";
    const noteOut = d.querySelector(".note");
    if (noteOut) {
      const note = form.elements.note ? form.elements.note.value.trim() : "";
      noteOut.textContent = note ? "“" + note + "”" : "";
      noteOut.hidden = !note;
    }
    d.querySelector("button.ok").onclick = function () {
      form.elements.confirm.value = "yes";
      d.close();
      form.submit();
    };
    d.querySelector("button.cancel").onclick = function () { d.close(); };
    d.showModal();
    d.querySelector("button.cancel").focus();
  });

  // One open Actions menu at a time.
  document.addEventListener("toggle", function (e) {
    if (e.target.matches?.("details.actions") && e.target.open) {
      document.querySelectorAll("details.actions[open]").forEach(function (d) { if (d !== e.target) d.removeAttribute("open"); });
    }
  }, true);

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      if (menuButton?.getAttribute("aria-expanded") === "true") { setMenu(false); menuButton.focus(); return; }
      const menu = document.querySelector("details.actions[open]");
      if (menu) { menu.removeAttribute("open"); menu.querySelector("summary").focus(); return; }
      if (!document.querySelector("dialog[open]") && document.getElementById("panel")) closePanel(true);
      return;
    }
    const tab = e.target.closest?.('#panel [role="tab"]');
    if (tab && (e.key === "ArrowRight" || e.key === "ArrowLeft" || e.key === "Home" || e.key === "End")) {
      const tabs = Array.from(tab.parentElement.querySelectorAll('[role="tab"]'));
      let i = tabs.indexOf(tab);
      i = e.key === "Home" ? 0 : e.key === "End" ? tabs.length - 1 : (i + (e.key === "ArrowRight" ? 1 : -1) + tabs.length) % tabs.length;
      e.preventDefault();
      loadPanel(tabs[i].href, "tab");
    }
  });

  window.addEventListener("popstate", function () {
    if (isPanelURL(location)) loadPanel(location.href, false);
    else if (slot()) { slot().innerHTML = ""; returnTo = null; }
  });
})();
