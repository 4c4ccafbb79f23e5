// aktovka learner app: small progressive enhancements. Every page works without this file.
// - live search results under the search box while typing;
// - line numbers beside Karel's code editor (and Tab inserts spaces);
// - answer drafts kept in localStorage so a reload before submitting loses nothing;
// - the school sync line in the header refreshed from /sync/status.
"use strict";

(function () {
  // ---- Live search -------------------------------------------------------------------
  function liveSearch() {
    var input = document.getElementById("search");
    var box = document.getElementById("search-results");
    if (!input || !box) return;
    var timer = null;
    var seq = 0;

    function hide() { box.hidden = true; box.textContent = ""; }

    function show(results) {
      box.textContent = "";
      if (results.length === 0) {
        var p = document.createElement("p");
        p.textContent = box.getAttribute("data-none") || "";
        box.appendChild(p);
      }
      results.forEach(function (r) {
        var a = document.createElement("a");
        a.href = r.url;
        a.className = "live-hit";
        var t = document.createElement("span");
        t.className = "hit-title";
        t.textContent = r.heading && r.heading !== r.title ? r.title + " › " + r.heading : r.title;
        var s = document.createElement("span");
        s.className = "hit-snippet";
        r.parts.forEach(function (part) {
          if (part[1]) {
            var m = document.createElement("mark");
            m.textContent = part[0];
            s.appendChild(m);
          } else {
            s.appendChild(document.createTextNode(part[0]));
          }
        });
        a.appendChild(t);
        a.appendChild(s);
        box.appendChild(a);
      });
      box.hidden = false;
    }

    function run() {
      var q = input.value.trim();
      if (q.length < 2) { hide(); return; }
      var mine = ++seq;
      fetch("/search?format=json&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (results) { if (mine === seq) show(results); })
        .catch(function () { /* offline server gone: the form still submits */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { hide(); }
      if (e.key === "ArrowDown" && !box.hidden) {
        var first = box.querySelector("a");
        if (first) { e.preventDefault(); first.focus(); }
      }
    });
    box.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(box.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i >= 0 && i + 1 < links.length) { e.preventDefault(); links[i + 1].focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); if (i > 0) links[i - 1].focus(); else input.focus(); }
      if (e.key === "Escape") { hide(); input.focus(); }
    });
    document.addEventListener("click", function (e) {
      if (!document.getElementById("search-form").contains(e.target)) hide();
    });
  }

  // ---- Code editor line numbers ------------------------------------------------------
  function codeEditors() {
    document.querySelectorAll("textarea.code").forEach(function (ta) {
      var gutter = document.createElement("pre");
      gutter.className = "gutter";
      gutter.setAttribute("aria-hidden", "true");
      ta.parentNode.insertBefore(gutter, ta);
      function update() {
        var n = ta.value.split("\n").length;
        var lines = [];
        for (var i = 1; i <= Math.max(n, 1); i++) lines.push(i);
        gutter.textContent = lines.join("\n");
        gutter.scrollTop = ta.scrollTop;
      }
      ta.addEventListener("input", update);
      ta.addEventListener("scroll", function () { gutter.scrollTop = ta.scrollTop; });
      ta.addEventListener("keydown", function (e) {
        // Tab indents; Escape then Tab leaves the editor (keyboard users are never trapped).
        if (e.key === "Tab" && !e.shiftKey && !ta.dataset.escaped) {
          e.preventDefault();
          var s = ta.selectionStart, end = ta.selectionEnd;
          ta.value = ta.value.slice(0, s) + "  " + ta.value.slice(end);
          ta.selectionStart = ta.selectionEnd = s + 2;
          update();
          ta.dispatchEvent(new Event("input", { bubbles: true }));
        } else if (e.key === "Escape") {
          ta.dataset.escaped = "1";
        } else if (e.key !== "Tab") {
          delete ta.dataset.escaped;
        }
      });
      ta.addEventListener("blur", function () { delete ta.dataset.escaped; });
      update();
    });
  }

  // ---- Drafts ------------------------------------------------------------------------
  function drafts() {
    var store;
    try { store = window.localStorage; } catch (e) { return; }
    if (!store) return;
    document.querySelectorAll("form.exercise[data-draft]").forEach(function (form) {
      var key = form.getAttribute("data-draft");
      function answers() {
        return Array.prototype.slice.call(form.querySelectorAll("[name=answer]"));
      }
      function save() {
        var state = answers().map(function (el) {
          return el.type === "radio" || el.type === "checkbox" ? el.checked : el.value;
        });
        try { store.setItem(key, JSON.stringify(state)); } catch (e) { /* storage full */ }
      }
      var saved = null;
      try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
      var els = answers();
      if (saved && saved.length === els.length) {
        els.forEach(function (el, i) {
          if (el.type === "radio" || el.type === "checkbox") el.checked = !!saved[i];
          else el.value = saved[i];
          if (el.tagName === "TEXTAREA") el.dispatchEvent(new Event("input"));
        });
      }
      form.addEventListener("input", save);
      form.addEventListener("change", save);
      form.addEventListener("submit", function () { store.removeItem(key); });
    });
  }

  // ---- School sync line ---------------------------------------------------------------
  function syncStatus() {
    var line = document.getElementById("sync-status");
    if (!line) return;
    function refresh() {
      if (document.hidden) return;
      fetch("/sync/status", { headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) return;
          if (line.textContent !== s.text) line.textContent = s.text;
          line.setAttribute("data-state", s.state);
        })
        .catch(function () { /* the app itself stopped: keep the last line */ });
    }
    setInterval(refresh, 20000);
    document.addEventListener("visibilitychange", refresh);
  }

  function start() {
    liveSearch();
    codeEditors();
    drafts();
    syncStatus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
