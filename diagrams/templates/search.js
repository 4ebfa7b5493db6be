/* yakkan docs: search across the articles and the model's elements, in the page.
   The index (assets/search.<lang>.js) is a static list written with the site; nothing is
   fetched. Every word typed must occur in an entry (case ignored); at most 30 are shown. */
(function () {
  "use strict";
  var index = window.YAKKAN_INDEX || [];
  var box = document.getElementById("search-q");
  var list = document.getElementById("search-hits");
  if (!box || !list) { return; }
  var none = list.getAttribute("data-none") || "";
  function show(q) {
    list.textContent = "";
    var words = q.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    if (!words.length) { list.hidden = true; return; }
    var shown = 0;
    for (var i = 0; i < index.length && shown < 30; i++) {
      var e = index[i], hay = e.x;
      if (words.every(function (w) { return hay.indexOf(w) >= 0; })) {
        var li = document.createElement("li"), a = document.createElement("a");
        var kind = document.createElement("span");
        kind.className = "kind"; kind.textContent = e.k;
        a.href = (document.body.getAttribute("data-search-base") || "") + e.h; a.textContent = e.t;
        li.appendChild(kind); li.appendChild(a);
        list.appendChild(li); shown++;
      }
    }
    if (!shown) { var li0 = document.createElement("li"); li0.className = "note"; li0.textContent = none; list.appendChild(li0); }
    list.hidden = false;
  }
  box.addEventListener("input", function () { show(box.value); });
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var first = list.querySelector("a"); if (first) { ev.preventDefault(); window.location.href = first.href; } }
    if (ev.key === "Escape") { box.value = ""; show(""); }
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "/" && document.activeElement !== box) { ev.preventDefault(); box.focus(); }
  });
}());
