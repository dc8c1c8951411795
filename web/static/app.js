// Progressive enhancement for Partnerdesk's pages: every link and form
// works without this script; with it, the client panel opens in place
// (over any page that has a panel slot), its tabs work with the arrow
// keys, and End services and renewal decisions ask in a dialog. Focus
// stays in the open panel and goes back where it came from when the panel
// or a dialog closes.
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
  // The control that opened the panel: focus goes back to it on closing.
  let opener = null;

  function slot() { return document.getElementById("panel-slot"); }

  function isPanelURL(u) { return /^\/partners\/\d+\/clients\/\d+$/.test(u.pathname); }

  // back focuses el, or the Actions button of the closed menu it was in,
  // so that focus never falls back to the top of the page.
  function back(el) {
    const menu = el?.closest("details.actions");
    if (menu && !menu.open) el = menu.querySelector("summary");
    if (el?.isConnected) el.focus();
  }

  async function loadPanel(href, push, from) {
    const u = new URL(href, location.href);
    if (push === true && !isPanelURL(location)) returnTo = location.pathname + location.search + location.hash;
    if (from && !from.closest("#panel")) opener = from;
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
    back(opener || listed(p));
    opener = null;
  }

  // listed is the list's link to the panel's client, for a panel that
  // came with the page and so has no opener.
  function listed(p) {
    const base = p.querySelector('[role="tab"]')?.pathname;
    return Array.from(document.querySelectorAll("#main a[data-panel]")).find(function (a) { return a.pathname === base; });
  }

  // The focusable controls of the panel, in tab order.
  function tabbable(root) {
    return Array.from(root.querySelectorAll('a[href], button, input, select, textarea, [tabindex="0"]'))
      .filter(function (el) { return !el.disabled && el.type !== "hidden" && el.tabIndex >= 0 && el.getClientRects().length; });
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
      ask(d, a);
      return;
    }
    if (a.matches("[data-panel]")) {
      e.preventDefault();
      a.closest("details")?.removeAttribute("open");
      loadPanel(a.href, true, a);
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

  // A dialog gives focus back to the control that opened it: the End
  // services link sits in a menu that is closed by then, so its row's
  // Actions button takes it.
  const dialogOpener = new WeakMap();
  function ask(d, from) {
    dialogOpener.set(d, from);
    d.showModal();
    d.querySelector("button.cancel").focus();
  }
  document.addEventListener("close", function (e) {
    if (e.target.matches?.("dialog")) back(dialogOpener.get(e.target));
  }, true);

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
    ask(d, e.submitter || form.querySelector("[type=submit]"));
  });

  // One open Actions menu at a time, and none once focus has left it: an
  // open menu covers the rows below it.
  document.addEventListener("toggle", function (e) {
    if (e.target.matches?.("details.actions") && e.target.open) {
      document.querySelectorAll("details.actions[open]").forEach(function (d) { if (d !== e.target) d.removeAttribute("open"); });
    }
  }, true);
  document.addEventListener("focusout", function (e) {
    const menu = e.target.closest?.("details.actions[open]");
    if (menu && !menu.contains(e.relatedTarget)) menu.removeAttribute("open");
  });

  document.addEventListener("keydown", function (e) {
    const panel = document.getElementById("panel");
    // The panel covers the page: Tab and Shift+Tab go round inside it.
    if (e.key === "Tab" && panel && panel.contains(document.activeElement) && !document.querySelector("dialog[open]")) {
      const all = tabbable(panel);
      const i = all.indexOf(document.activeElement);
      if (e.shiftKey && i <= 0) { e.preventDefault(); all[all.length - 1]?.focus(); }
      else if (!e.shiftKey && i === all.length - 1) { e.preventDefault(); all[0].focus(); }
      return;
    }
    if (e.key === "Escape") {
      if (menuButton?.getAttribute("aria-expanded") === "true") { setMenu(false); menuButton.focus(); return; }
      const menu = document.querySelector("details.actions[open]");
      if (menu) { menu.removeAttribute("open"); menu.querySelector("summary").focus(); return; }
      // The panel is above anything else the page shows: the Escape that
      // closes it closes nothing else (a page's own script checks).
      if (!document.querySelector("dialog[open]") && panel) { e.preventDefault(); closePanel(true); }
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
    else closePanel(false);
  });

  // A table wider than its .scroll box scrolls in it: the box then takes
  // focus, so that the arrow keys scroll it too.
  function scrollers() {
    document.querySelectorAll(".scroll").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth) el.tabIndex = 0; else el.removeAttribute("tabindex");
    });
  }
  scrollers();
  window.addEventListener("resize", scrollers);

  // A panel that comes with the page (a shared or reloaded link) has focus.
  document.getElementById("panel-h")?.focus();
})();
