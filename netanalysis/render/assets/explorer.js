/* netanalysis explorer.
 * Every text shown comes from the JSON data block and is put into the page with textContent,
 * never innerHTML: post text such as "<img src=x onerror=...>" is shown as text.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("na-data").textContent);
  var posts = data.posts;
  var byId = {};
  var TIP_POSTS = 2;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

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

  function postList(ids, limit) {
    var list = el("ol", "na-posts");
    ids.slice(0, limit).forEach(function (pid) {
      var post = posts[pid] || {};
      var li = el("li", "na-post");
      var meta = [post.date || "undated", post.channel, pid].filter(function (x) { return x; });
      li.appendChild(el("div", "na-post-meta", meta.join(" · ")));
      if (post.text) { li.appendChild(el("div", "na-post-text", post.text)); }
      list.appendChild(li);
    });
    return list;
  }

  function heading(tag, item) {
    var h = el(tag, null, item.isEdge ? item.fromLabel + " — " + item.toLabel : item.label);
    var kind = item.isEdge ? "edge" : item.kind;
    h.appendChild(el("span", "na-kind na-kind-" + kind, kind));
    return h;
  }

  function countLine(item, shown) {
    var total = item.post_count;
    var text = total + (total === 1 ? " post" : " posts") + (item.isEdge ? "" : " behind its edges");
    if (shown < total) { text += ", showing " + shown; }
    return el("div", "na-more", text);
  }

  function tooltip(item) {
    var box = el("div", "na-tip");
    box.appendChild(heading("h3", item));
    box.appendChild(measureTable(item.measures));
    var shown = Math.min(item.evidence.length, TIP_POSTS);
    box.appendChild(postList(item.evidence, TIP_POSTS));
    box.appendChild(countLine(item, shown));
    if (item.post_count > shown) { box.appendChild(el("div", "na-more", "Click for the list of posts.")); }
    return box;
  }

  function showDetails(item) {
    var panel = document.getElementById("na-details");
    panel.replaceChildren();
    if (!item) {
      panel.appendChild(el("p", "na-hint", "Click a node or an edge to see its measures and the posts behind it."));
      return;
    }
    panel.appendChild(heading("h2", item));
    panel.appendChild(measureTable(item.measures));
    panel.appendChild(countLine(item, item.evidence.length));
    panel.appendChild(postList(item.evidence, item.evidence.length));
  }

  var nodeItems = data.nodes.map(function (n) {
    n.isEdge = false;
    n.lower = [n.label, n.entity].join("\u0000").toLocaleLowerCase();
    byId[n.id] = n;
    return { id: n.id, label: n.label, shape: n.shape, color: n.color, x: n.x, y: n.y,
             size: n.size, font: n.font, title: tooltip(n), hidden: false };
  });
  var edgeItems = data.edges.map(function (e) {
    e.isEdge = true;
    e.fromLabel = byId[e.from].label;
    e.toLabel = byId[e.to].label;
    byId[e.id] = e;
    return { id: e.id, from: e.from, to: e.to, width: e.width, dashes: !!e.dashes, title: tooltip(e), hidden: false };
  });
  var degree = {};
  data.edges.forEach(function (e) {
    degree[e.from] = (degree[e.from] || 0) + 1;
    degree[e.to] = (degree[e.to] || 0) + 1;
  });

  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("na-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);

  var $ = function (id) { return document.getElementById(id); };
  var firstDay = "", lastDay = "", maxWeight = 1;
  data.edges.forEach(function (e) {
    var days = e.dates.days;
    if (days.length && (!firstDay || days[0] < firstDay)) { firstDay = days[0]; }
    if (days.length && days[days.length - 1] > lastDay) { lastDay = days[days.length - 1]; }
    maxWeight = Math.max(maxWeight, e.weight);
  });

  function inWindow(dates, from, to, keepUndated) {
    if (dates.undated > 0 && keepUndated) { return true; }
    return dates.days.some(function (day) { return (!from || day >= from) && (!to || day <= to); });
  }

  function state() {
    return {
      sides: { country: $("na-side-country").checked, forum: $("na-side-forum").checked },
      minWeight: Number($("na-weight").value),
      from: $("na-from").value,
      to: $("na-to").value,
      undated: $("na-undated").checked
    };
  }

  function apply() {
    var s = state();
    $("na-weight-value").textContent = String(s.minWeight);
    // An edge passes when its weight and one of its posts' dates pass; a node is shown when its
    // side is ticked and it has an edge that passes (or never had an edge); an edge is shown when
    // it passes and both its ends are shown.
    var edgeShown = {}, nodeHasEdge = {};
    data.edges.forEach(function (e) {
      var ok = e.weight >= s.minWeight &&
        (e.span ? spanOverlaps(e.dates, s) : inWindow(e.dates, s.from, s.to, s.undated));
      if (ok) { nodeHasEdge[e.from] = true; nodeHasEdge[e.to] = true; }
      edgeShown[e.id] = ok && s.sides[byId[e.from].kind] && s.sides[byId[e.to].kind];
    });
    var nodeUpdates = [], edgeUpdates = [], shownNodes = 0, shownEdges = 0;
    nodes.forEach(function (n) {
      var ok = s.sides[byId[n.id].kind] && (!degree[n.id] || nodeHasEdge[n.id] === true);
      if (ok) { shownNodes += 1; }
      if (n.hidden === ok) { nodeUpdates.push({ id: n.id, hidden: !ok }); }
    });
    edges.forEach(function (e) {
      var ok = edgeShown[e.id];
      if (ok) { shownEdges += 1; }
      if (e.hidden === ok) { edgeUpdates.push({ id: e.id, hidden: !ok }); }
    });
    if (nodeUpdates.length) { nodes.update(nodeUpdates); }
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
    $("na-status").textContent = "Showing " + shownNodes + " of " + nodes.length + " nodes, " +
      shownEdges + " of " + edges.length + " edges";
    return { nodes: shownNodes, edges: shownEdges };
  }

  function spanOverlaps(dates, s) {
    if (!dates.days.length) { return s.undated; }
    var lo = dates.days[0], hi = dates.days[dates.days.length - 1];
    return (!s.to || lo <= s.to) && (!s.from || hi >= s.from);
  }

  function search(query) {
    var q = String(query || "").trim().toLocaleLowerCase();
    var list = $("na-results");
    list.replaceChildren();
    if (!q) {
      $("na-search-count").textContent = "";
      network.unselectAll();
      return [];
    }
    var found = data.nodes.filter(function (n) { return n.lower.indexOf(q) !== -1; }).map(function (n) { return n.id; });
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
    network.focus(id, { scale: 1.2, animation: false });
    showDetails(byId[id]);
  }

  function reset() {
    $("na-side-country").checked = true;
    $("na-side-forum").checked = true;
    $("na-weight").value = "1";
    $("na-from").value = firstDay;
    $("na-to").value = lastDay;
    $("na-undated").checked = true;
    return apply();
  }

  $("na-weight").max = String(maxWeight);
  $("na-weight").disabled = maxWeight <= 1;
  ["na-from", "na-to"].forEach(function (id) {
    $(id).min = firstDay;
    $(id).max = lastDay;
    $(id).disabled = !firstDay;
  });
  $("na-physics").checked = Boolean(data.meta.physics);
  $("na-legend").textContent = "Node size: " + data.meta.size_by + ". Edge width: weight (posts).";
  ["na-side-country", "na-side-forum", "na-undated"].forEach(function (id) { $(id).addEventListener("change", apply); });
  ["na-weight", "na-from", "na-to"].forEach(function (id) {
    $(id).addEventListener("input", apply);
    $(id).addEventListener("change", apply);
  });
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
    if (params.nodes.length) { showDetails(byId[params.nodes[0]]); }
    else if (params.edges.length) { showDetails(byId[params.edges[0]]); }
    else { showDetails(null); }
  });

  reset();
  window.netanalysisExplorer = {
    network: network, nodes: nodes, edges: edges, data: data, apply: apply, search: search, reset: reset,
    visibleNodeIds: function () { return nodes.getIds({ filter: function (n) { return !n.hidden; } }); },
    visibleEdgeIds: function () { return edges.getIds({ filter: function (e) { return !e.hidden; } }); }
  };
}());
