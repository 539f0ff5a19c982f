/* netanalysis explorer.
 * Every text shown comes from the JSON data block and is put into the page with textContent,
 * never innerHTML: post text such as "<img src=x onerror=...>" is shown as text.
 * The time window recounts everything it shows from the posts' days: edge weights and widths,
 * node strengths and sizes, post counts and the evidence lists.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("na-data").textContent);
  var meta = data.meta;
  var posts = data.posts;
  var PAGE = meta.page || 20;
  var TIP_POSTS = 2;
  var MIN_SIZE = 8, MAX_SIZE = 40, FADED = "#E2E2E2";
  var byId = {};
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // -- days: "YYYY-MM-DD" <-> days since the first dated post ---------------------------------
  var DAY_MS = 86400000;
  function dayOf(text) {
    if (!text || meta.first_day === null) { return null; }
    var ms = Date.parse(text + "T00:00:00Z");
    return isNaN(ms) ? null : Math.round(ms / DAY_MS) - meta.first_day;
  }
  function dateOf(day) {
    return new Date((day + meta.first_day) * DAY_MS).toISOString().slice(0, 10);
  }

  // per item: sorted days and cumulative counts, for the count in any window
  function prefix(flat) {
    var days = [], sums = [0], undated = 0;
    for (var i = 0; i < flat.length; i += 2) {
      if (flat[i] < 0) { undated += flat[i + 1]; continue; }
      days.push(flat[i]);
      sums.push(sums[sums.length - 1] + flat[i + 1]);
    }
    return { days: days, sums: sums, undated: undated };
  }
  function lowerBound(arr, x) {
    var lo = 0, hi = arr.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (arr[mid] < x) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }
  function countIn(pre, s) {
    var a = s.from === null ? 0 : lowerBound(pre.days, s.from);
    var b = s.to === null ? pre.days.length : lowerBound(pre.days, s.to + 1);
    return pre.sums[Math.max(b, a)] - pre.sums[a] + (s.undated ? pre.undated : 0);
  }
  function postInWindow(i, s) {
    var d = posts.d[i];
    if (d < 0) { return s.undated; }
    d -= meta.first_day;
    return (s.from === null || d >= s.from) && (s.to === null || d <= s.to);
  }

  // -- pieces of the details panel and tooltips ------------------------------------------------
  function measureTable(rows) {
    var table = el("table", "na-measures");
    rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("th", null, row[0]));
      tr.appendChild(el("td", null, row[1]));
      table.appendChild(tr);
    });
    return table;
  }

  // the text of post i with the words matched for the given nodes marked
  function postText(i, wanted) {
    var box = el("div", "na-post-text");
    var text = posts.t[i] || "", marks = posts.m[i] || [], at = 0;
    for (var k = 0; k < marks.length; k += 3) {
      var start = marks[k], end = marks[k + 1], node = data.nodes[marks[k + 2]];
      if (!node || !wanted[node.id] || start < at) { continue; }
      if (start > at) { box.appendChild(document.createTextNode(text.slice(at, start))); }
      var mark = el("mark", "na-match", text.slice(start, end));
      mark.title = node.label;
      box.appendChild(mark);
      at = end;
    }
    if (at < text.length) { box.appendChild(document.createTextNode(text.slice(at))); }
    return box;
  }

  function postItem(i, wanted) {
    var li = el("li", "na-post");
    var day = posts.d[i] >= 0 ? new Date(posts.d[i] * DAY_MS).toISOString().slice(0, 10) : "undated";
    var bits = [day, posts.channels[posts.c[i]], posts.id[i]].filter(function (x) { return x; });
    li.appendChild(el("div", "na-post-meta", bits.join(" · ")));
    if (posts.t[i]) { li.appendChild(postText(i, wanted)); }
    li.setAttribute("data-post", posts.id[i]);
    return li;
  }

  function heading(tag, item) {
    var h = el(tag, null, item.isEdge ? item.fromLabel + " — " + item.toLabel : item.label);
    var kind = item.isEdge ? "edge" : item.kind;
    h.appendChild(el("span", "na-kind na-kind-" + kind, kind));
    return h;
  }

  // the posts of an item (an edge's, or the union of a node's edges'), in date order, in the window
  function evidence(item, s) {
    var lists = item.isEdge ? [item.p] : (incident[item.id] || []).map(function (e) { return e.p; });
    var seen = {}, out = [];
    lists.forEach(function (list) {
      list.forEach(function (i) { if (!seen[i]) { seen[i] = true; out.push(i); } });
    });
    if (lists.length > 1) { out.sort(function (a, b) { return a - b; }); }
    return out.filter(function (i) { return postInWindow(i, s); });
  }

  function wantedFor(item) {
    var wanted = {};
    if (item.isEdge) { wanted[item.from] = true; wanted[item.to] = true; } else { wanted[item.id] = true; }
    return wanted;
  }

  // a count as the page writes it: thousands grouped from 10,000 (431,881)
  function num(n) {
    return n >= 10000 ? n.toLocaleString("en-US") : String(n);
  }

  function countLine(item, s) {
    var n = item.isEdge ? item.shown.weight : countIn(item.pre, s);
    var total = item.n;
    var text = num(n) + (n === 1 ? " post" : " posts") + (item.isEdge ? "" : " behind its edges") +
      (isWhole(s) ? "" : " in the shown period (" + num(total) + " in all)");
    return el("div", "na-count", text);
  }

  function tooltipInto(box, item) {
    var s = current;
    box.replaceChildren();
    box.appendChild(heading("h3", item));
    box.appendChild(measureTable(item.measures));
    box.appendChild(countLine(item, s));
    var list = el("ol", "na-posts");
    var wanted = wantedFor(item);
    evidence(item, s).slice(0, TIP_POSTS).forEach(function (i) { list.appendChild(postItem(i, wanted)); });
    box.appendChild(list);
    box.appendChild(el("div", "na-more", "Click for every post."));
  }

  var panelState = null;  // {item, posts: [...], shown: n}
  function showDetails(item) {
    var panel = $("na-details");
    panel.replaceChildren();
    panelState = null;
    if (!item) {
      panel.appendChild(el("p", "na-hint", "Click a node or an edge to see its measures and the posts behind it."));
      return;
    }
    var s = current;
    panel.appendChild(heading("h2", item));
    panel.appendChild(measureTable(item.measures));
    if (item.isEdge && item.status) { panel.appendChild(el("div", "na-hint", "Membership on the posts' dates: " + item.status)); }
    panel.appendChild(countLine(item, s));
    var found = evidence(item, s);
    var list = el("ol", "na-posts");
    list.id = "na-evidence";
    panel.appendChild(list);
    var more = el("button", "na-show-more");
    more.type = "button";
    more.id = "na-show-more";
    more.addEventListener("click", function () { showMore(); });
    panel.appendChild(more);
    var note = el("div", "na-hint");
    note.id = "na-evidence-note";
    panel.appendChild(note);
    panelState = { item: item, posts: found, shown: 0 };
    showMore();
  }

  function showMore() {
    if (!panelState) { return 0; }
    var list = $("na-evidence"), wanted = wantedFor(panelState.item);
    var next = panelState.posts.slice(panelState.shown, panelState.shown + PAGE);
    next.forEach(function (i) { list.appendChild(postItem(i, wanted)); });
    panelState.shown += next.length;
    var left = panelState.posts.length - panelState.shown;
    var button = $("na-show-more");
    button.hidden = left <= 0;
    button.textContent = "Show more (" + num(panelState.shown) + " of " + num(panelState.posts.length) + " shown)";
    var item = panelState.item, missing = 0;
    if (meta.kept !== null) {
      missing = item.isEdge ? countIn(item.pre, current) - panelState.posts.length : 0;
    }
    $("na-evidence-note").textContent = missing > 0
      ? num(missing) + " more posts are not in this file (it holds each edge's first " + meta.kept + "); edges.csv lists them all."
      : "";
    return next.length;
  }

  // -- the network ---------------------------------------------------------------------------
  var incident = {};
  data.nodes.forEach(function (n) {
    n.isEdge = false;
    n.pre = prefix(n.h);
    n.tip = el("div", "na-tip");
    incident[n.id] = [];
    byId[n.id] = n;
  });
  data.edges.forEach(function (e) {
    e.isEdge = true;
    e.fromLabel = byId[e.from].label;
    e.toLabel = byId[e.to].label;
    e.pre = prefix(e.h);
    e.tip = el("div", "na-tip");
    e.shown = { weight: e.n };
    incident[e.from].push(e);
    incident[e.to].push(e);
    byId[e.id] = e;
  });

  function baseColour(n, by) {
    if (by === "community") {
      return meta.communities[String(n.community)] || "#BBBBBB";
    }
    return meta.colours[n.kind];
  }

  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return { id: n.id, label: n.label, shape: n.shape, x: n.x, y: n.y, size: n.size,
             color: meta.colours[n.kind], font: { size: 12 + n.size / 4 }, title: n.tip, hidden: false };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    return { id: e.id, from: e.from, to: e.to, width: 1, dashes: !!e.dashes, title: e.tip, hidden: false };
  }));
  var container = $("na-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  var firstDay = null, lastDay = null, maxWeight = 1;
  data.edges.forEach(function (e) {
    var days = e.span ? [dayOf(e.span[0]), dayOf(e.span[1])].filter(function (d) { return d !== null; }) : e.pre.days;
    if (days.length) {
      firstDay = firstDay === null ? days[0] : Math.min(firstDay, days[0]);
      lastDay = lastDay === null ? days[days.length - 1] : Math.max(lastDay, days[days.length - 1]);
    }
    maxWeight = Math.max(maxWeight, e.n);
  });

  function state() {
    return {
      sides: { country: $("na-side-country").checked, forum: $("na-side-forum").checked },
      minWeight: Number($("na-weight").value),
      from: dayOf($("na-from").value),
      to: dayOf($("na-to").value),
      undated: $("na-undated").checked,
      colourBy: $("na-colour").value
    };
  }
  function isWhole(s) {
    return s.undated && (s.from === null || s.from <= firstDay) && (s.to === null || s.to >= lastDay);
  }
  var current = state();
  var selected = null;

  // an edge's posts in the window (every post counts once, whatever the unit of co-mention)
  function edgeWeight(e, s) {
    if (e.span) {  // built without the posts: the edge's first and last dates stand for them
      var lo = dayOf(e.span[0]), hi = dayOf(e.span[1]);
      if (lo === null) { return s.undated ? e.n : 0; }
      return (s.to === null || lo <= s.to) && (s.from === null || hi >= s.from) ? e.n : 0;
    }
    return countIn(e.pre, s);
  }

  function apply() {
    var s = state();
    current = s;
    $("na-weight-value").textContent = String(s.minWeight);
    // an edge passes when enough of its posts fall in the period; it is drawn when both its
    // ends' kinds are ticked; a node is drawn when its kind is ticked and one of its edges passes
    var strength = {}, wmax = 0, smax = 0, shownEdges = 0, shownNodes = 0;
    data.edges.forEach(function (e) {
      var w = edgeWeight(e, s);
      e.shown = { weight: w };
      e.passes = w > 0 && w >= s.minWeight;
      e.visible = e.passes && s.sides[byId[e.from].kind] && s.sides[byId[e.to].kind];
      if (e.passes) {
        strength[e.from] = (strength[e.from] || 0) + w;
        strength[e.to] = (strength[e.to] || 0) + w;
      }
      if (e.visible) { wmax = Math.max(wmax, w); }
    });
    data.nodes.forEach(function (n) {
      n.visible = s.sides[n.kind] && (incident[n.id].length === 0 || (strength[n.id] || 0) > 0);
      n.strength = strength[n.id] || 0;
      if (n.visible) { smax = Math.max(smax, n.strength); }
    });
    var nodeUpdates = [], edgeUpdates = [];
    data.nodes.forEach(function (n) {
      var size = n.visible && smax > 0 ? MIN_SIZE + (MAX_SIZE - MIN_SIZE) * Math.sqrt(n.strength / smax) : MIN_SIZE;
      size = Math.round(size * 100) / 100;
      if (n.visible) { shownNodes += 1; }
      nodeUpdates.push({ id: n.id, hidden: !n.visible, size: size, font: { size: 12 + size / 4 } });
      n.shownSize = size;
    });
    data.edges.forEach(function (e) {
      var width = e.visible && wmax > 0 ? Math.round((1 + 7 * Math.sqrt(e.shown.weight / wmax)) * 100) / 100 : 1;
      if (e.visible) { shownEdges += 1; }
      edgeUpdates.push({ id: e.id, hidden: !e.visible, width: width });
      e.shownWidth = width;
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    colour();
    var postsShown = 0;
    for (var i = 0; i < posts.d.length; i += 1) { if (postInWindow(i, s)) { postsShown += 1; } }
    $("na-status").textContent = "Showing " + shownNodes + " of " + data.nodes.length + " nodes, " +
      shownEdges + " of " + data.edges.length + " edges" +
      (isWhole(s) || !meta.dated ? "" : " (" + postsShown + " posts in the period)");
    if (selected) { showDetails(byId[selected]); }
    return { nodes: shownNodes, edges: shownEdges };
  }

  // colours: by kind or community; with a selection, everything but it and its neighbours faded
  function colour() {
    var by = $("na-colour").value, near = null;
    if (selected && byId[selected]) {
      near = {};
      var item = byId[selected];
      if (item.isEdge) { near[item.from] = near[item.to] = near[item.id] = true; } else {
        near[item.id] = true;
        incident[item.id].forEach(function (e) { near[e.id] = true; near[e.from] = true; near[e.to] = true; });
      }
    }
    nodes.update(data.nodes.map(function (n) {
      var c = near && !near[n.id] ? FADED : baseColour(n, by);
      return { id: n.id, color: { background: c, border: c, highlight: { background: c, border: "#222222" } },
               font: { size: 12 + (n.shownSize || n.size) / 4, color: near && !near[n.id] ? "#BBBBBB" : "#222222" } };
    }));
    edges.update(data.edges.map(function (e) {
      var faded = near && !near[e.id];
      return { id: e.id, color: { color: faded ? "#EEEEEE" : "#9a9a9a", opacity: faded ? 0.4 : 0.6 } };
    }));
    legend(by);
  }

  function legend(by) {
    var box = $("na-legend");
    box.replaceChildren();
    box.appendChild(el("div", null, "Node size: " + meta.size_by + " in the shown period; edge width: posts in the shown period."));
    if (by !== "community") { return; }
    var counts = {};
    data.nodes.forEach(function (n) { counts[n.community] = (counts[n.community] || 0) + 1; });
    Object.keys(meta.communities).forEach(function (c) {
      var row = el("div", "na-legend-row");
      var sw = el("span", "na-swatch");
      sw.style.background = meta.communities[c];
      row.appendChild(sw);
      row.appendChild(el("span", null, " Community " + c + " (" + (counts[c] || 0) + " nodes)"));
      row.setAttribute("data-community", c);
      box.appendChild(row);
    });
  }

  function select(id) {
    selected = id && byId[id] ? id : null;
    colour();
    showDetails(selected ? byId[selected] : null);
  }

  // -- search over labels, codes and every registry alias -----------------------------------
  function fold(text) { return String(text || "").normalize("NFC").toLocaleLowerCase().trim(); }
  function search(query) {
    var q = fold(query);
    var list = $("na-results");
    list.replaceChildren();
    if (!q) {
      $("na-search-count").textContent = "";
      return [];
    }
    var scored = [];
    data.nodes.forEach(function (n) {
      var best = 9;
      n.terms.forEach(function (t) {
        if (t === q) { best = Math.min(best, 0); } else if (q.length > 2 && t.indexOf(q) === 0) { best = Math.min(best, 1); } else if (q.length > 2 && t.indexOf(q) > 0) { best = Math.min(best, 2); }
      });
      if (best < 9) { scored.push([best, n.label, n.id]); }
    });
    scored.sort(function (a, b) { return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0); });
    var found = scored.map(function (x) { return x[2]; });
    $("na-search-count").textContent = found.length + (found.length === 1 ? " match" : " matches");
    found.slice(0, 50).forEach(function (id) {
      var li = el("li");
      var button = el("button", null, byId[id].label);
      button.type = "button";
      button.addEventListener("click", function () { focusNode(id); });
      li.appendChild(button);
      if (nodes.get(id).hidden) { li.appendChild(el("span", "na-hidden", " (hidden by filters)")); }
      list.appendChild(li);
    });
    network.selectNodes(found.filter(function (id) { return !nodes.get(id).hidden; }), false);
    return found;
  }

  function focusNode(id) {
    network.selectNodes([id], true);
    if (!nodes.get(id).hidden) { network.focus(id, { scale: 1.2, animation: false }); }
    select(id);
  }

  function reset() {
    $("na-side-country").checked = true;
    $("na-side-forum").checked = true;
    $("na-weight").value = "1";
    $("na-from").value = firstDay === null ? "" : dateOf(firstDay);
    $("na-to").value = lastDay === null ? "" : dateOf(lastDay);
    $("na-undated").checked = true;
    return apply();
  }

  $("na-weight").max = String(maxWeight);
  $("na-weight").disabled = maxWeight <= 1;
  ["na-from", "na-to"].forEach(function (id) {
    $(id).min = firstDay === null ? "" : dateOf(firstDay);
    $(id).max = lastDay === null ? "" : dateOf(lastDay);
    $(id).disabled = firstDay === null;
  });
  $("na-physics").checked = Boolean(meta.physics);
  ["na-side-country", "na-side-forum", "na-undated"].forEach(function (id) { $(id).addEventListener("change", apply); });
  ["na-weight", "na-from", "na-to"].forEach(function (id) {
    $(id).addEventListener("input", apply);
    $(id).addEventListener("change", apply);
  });
  $("na-colour").addEventListener("change", colour);
  $("na-physics").addEventListener("change", function () {
    network.setOptions({ physics: { enabled: $("na-physics").checked } });
  });
  $("na-search").addEventListener("input", function () { search($("na-search").value); });
  $("na-search").addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      var found = search($("na-search").value);
      if (found.length) { focusNode(found[0]); }
    }
  });
  $("na-reset").addEventListener("click", reset);
  $("na-fit").addEventListener("click", function () { network.fit({ animation: false }); });
  network.on("click", function (params) {
    if (params.nodes.length) { select(params.nodes[0]); } else if (params.edges.length) { select(params.edges[0]); } else { select(null); }
  });
  // tooltips are filled when shown, for the window shown
  network.on("hoverNode", function (params) { tooltipInto(byId[params.node].tip, byId[params.node]); });
  network.on("hoverEdge", function (params) { tooltipInto(byId[params.edge].tip, byId[params.edge]); });

  reset();
  window.netanalysisExplorer = {
    network: network, nodes: nodes, edges: edges, data: data, apply: apply, search: search, reset: reset,
    select: select, showMore: showMore, state: function () { return current; },
    evidenceIds: function () {
      return Array.prototype.map.call(document.querySelectorAll("#na-evidence li"), function (li) { return li.getAttribute("data-post"); });
    },
    edgeWidth: function (id) { return byId[id].shownWidth; },
    edgeWeight: function (id) { return byId[id].shown.weight; },
    nodeSize: function (id) { return byId[id].shownSize; },
    visibleNodeIds: function () { return nodes.getIds({ filter: function (n) { return !n.hidden; } }); },
    visibleEdgeIds: function () { return edges.getIds({ filter: function (e) { return !e.hidden; } }); },
    ready: performance.now()
  };
}());
