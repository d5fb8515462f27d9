// hf-lineage explorer: lays the lineage out as a tree, draws it as SVG and lets a person pan,
// zoom, search, collapse, filter and read the details of each repo. Written for hf-lineage
// (Apache-2.0); it uses no library and fetches nothing.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('lineage-data').textContent);
  var N = D.nodes, E = D.edges, F = D.findings;
  var n = N.length;
  var ROW = 30, COL = 276, W = 236, H = 22;
  var SEV = { info: 1, warn: 2, deny: 3 };
  var SEV_MARK = { info: 'i', warn: '▲', deny: '✖' };
  var PRIORITY = { finetune: 0, merge: 1, adapter: 2, quantized: 3, duplicated_from: 4, source_of: 5, trained_on: 6, used_by: 7 };
  var relStyle = {};
  D.relations.forEach(function (r) { relStyle[r.name] = r; });
  var famInfo = {};
  D.families.forEach(function (f) { famInfo[f.class] = f; });
  var $ = function (id) { return document.getElementById(id); };

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function prefix(kind) { return kind === 'dataset' ? 'datasets/' : kind === 'space' ? 'spaces/' : ''; }
  function hubUrl(node) {
    var id = node.id;
    var p = prefix(node.kind);
    if (p && id.indexOf(p) === 0) id = id.slice(p.length);
    return D.endpoint + '/' + p + id;
  }

  // ---- structure: edges by node, findings by node, a spanning tree to lay out ----
  var parentsOf = [], childrenOf = [], findingsOf = [];
  for (var i = 0; i < n; i++) { parentsOf.push([]); childrenOf.push([]); findingsOf.push([]); }
  E.forEach(function (e, k) { childrenOf[e[0]].push(k); parentsOf[e[1]].push(k); });
  F.forEach(function (f, k) { if (f[2] >= 0) findingsOf[f[2]].push(k); });

  // Each node hangs under one parent in the picture: a derivation parent before data and
  // Spaces, then the first by id. The other edges are drawn as cross links.
  var tparent = new Int32Array(n).fill(-1), tedge = new Int32Array(n).fill(-1);
  for (i = 0; i < n; i++) {
    var best = -1;
    parentsOf[i].forEach(function (k) {
      var e = E[k];
      if (e[0] === i) return;
      if (best < 0 || PRIORITY[e[2]] < PRIORITY[E[best][2]] ||
          (PRIORITY[e[2]] === PRIORITY[E[best][2]] && e[0] < E[best][0])) best = k;
    });
    if (best >= 0) { tparent[i] = E[best][0]; tedge[i] = best; }
  }
  // Cycles (kept in the data, reported as findings) are cut: walking up from each node, a
  // node met twice on one walk becomes a root of the picture.
  var state = new Uint8Array(n); // 0 new, 1 on the current walk, 2 done
  for (i = 0; i < n; i++) {
    var walk = [], v = i;
    while (v >= 0 && state[v] === 0) { state[v] = 1; walk.push(v); v = tparent[v]; }
    if (v >= 0 && state[v] === 1) { tparent[v] = -1; tedge[v] = -1; }
    walk.forEach(function (w) { state[w] = 2; });
  }
  var tchildren = [];
  for (i = 0; i < n; i++) tchildren.push([]);
  var roots = [];
  for (i = 0; i < n; i++) {
    if (tparent[i] >= 0) tchildren[tparent[i]].push(i); else roots.push(i);
  }
  function childOrder(a, b) {
    var ra = PRIORITY[E[tedge[a]][2]], rb = PRIORITY[E[tedge[b]][2]];
    return ra - rb || a - b;
  }
  tchildren.forEach(function (c) { c.sort(childOrder); });
  // Roots with descendants first (the families), then the rest by id.
  var descCount = new Int32Array(n);
  (function () {
    var order = [], stack = roots.slice();
    while (stack.length) { var v = stack.pop(); order.push(v); tchildren[v].forEach(function (c) { stack.push(c); }); }
    for (var j = order.length - 1; j >= 0; j--) {
      var v = order[j];
      if (tparent[v] >= 0) descCount[tparent[v]] += descCount[v] + 1;
    }
  })();
  roots.sort(function (a, b) { return (descCount[b] > 0) - (descCount[a] > 0) || a - b; });
  function relationOf(i) { return tedge[i] >= 0 ? E[tedge[i]][2] : null; }

  // ---- filters ----
  var present = { relation: {}, kind: {}, family: {}, code: {} };
  E.forEach(function (e) { present.relation[e[2]] = true; });
  N.forEach(function (d) { present.kind[d.kind] = true; present.family[d.family] = true; });
  F.forEach(function (f) { present.code[f[0]] = true; });
  var filter = { relation: {}, kind: {}, family: {}, code: '', severity: 0, paths: false };
  function resetFilters() {
    Object.keys(present.relation).forEach(function (r) { filter.relation[r] = true; });
    Object.keys(present.kind).forEach(function (k) { filter.kind[k] = true; });
    Object.keys(present.family).forEach(function (f) { filter.family[f] = true; });
    filter.code = ''; filter.severity = 0; filter.paths = false;
  }
  resetFilters();
  function findingMatches(f) {
    return (!filter.code || f[0] === filter.code) && SEV[f[1]] >= filter.severity;
  }
  function findingFilterOn() { return !!filter.code || filter.severity > 0 || filter.paths; }
  function passes(i) {
    var d = N[i];
    if (!filter.kind[d.kind] || !filter.family[d.family]) return false;
    // A node's relation is the one it hangs by in the tree (a derivation before data).
    if (tedge[i] >= 0 && !filter.relation[relationOf(i)]) return false;
    if (findingFilterOn()) {
      var min = filter.paths && filter.severity === 0 && !filter.code ? SEV.warn : 0;
      var hit = findingsOf[i].some(function (k) { return findingMatches(F[k]) && SEV[F[k][1]] >= min; });
      if (!hit) return false;
    }
    return true;
  }
  // pass: the node meets every filter; show: it passes, or it is on the way to one that does
  // (drawn faded, for context).
  var pass = new Uint8Array(n), show = new Uint8Array(n);
  function computeShow() {
    show.fill(0);
    for (var i = 0; i < n; i++) pass[i] = passes(i) ? 1 : 0;
    for (i = 0; i < n; i++) {
      if (!pass[i]) continue;
      var v = i;
      while (v >= 0 && !show[v]) { show[v] = 1; v = tparent[v]; }
    }
  }

  // ---- collapsing ----
  var collapsed = new Uint8Array(n);
  function openAtMost(budget) {
    collapsed.fill(0);
    var reached = new Uint8Array(n);
    var queue = roots.filter(function (r) { return show[r]; });
    var count = queue.length;
    queue.forEach(function (r) { reached[r] = 1; });
    for (var q = 0; q < queue.length; q++) {
      var v = queue[q];
      var kids = tchildren[v].filter(function (c) { return show[c]; });
      if (!kids.length) continue;
      if (count + kids.length <= budget) {
        count += kids.length;
        kids.forEach(function (c) { reached[c] = 1; queue.push(c); });
      } else collapsed[v] = 1;
    }
    // What the first picture does not reach opens one level at a time.
    for (var i = 0; i < n; i++) if (!reached[i] && tchildren[i].length) collapsed[i] = 1;
  }
  function reveal(i) {
    for (var v = tparent[i]; v >= 0; v = tparent[v]) collapsed[v] = 0;
  }

  // ---- layout: a tidy tree, left to right; leaves on rows, parents centred on children ----
  var X = new Float64Array(n), Y = new Float64Array(n), visible = [], isVisible = new Uint8Array(n);
  function layout() {
    visible = [];
    isVisible.fill(0);
    var row = 0;
    roots.forEach(function (r) {
      if (!show[r]) return;
      var stack = [[r, 0, false]];
      while (stack.length) {
        var top = stack.pop(), v = top[0], depth = top[1];
        if (top[2]) {
          var kids = tchildren[v].filter(function (c) { return isVisible[c]; });
          Y[v] = (Y[kids[0]] + Y[kids[kids.length - 1]]) / 2;
          continue;
        }
        isVisible[v] = 1;
        visible.push(v);
        X[v] = depth * COL;
        var open = !collapsed[v] ? tchildren[v].filter(function (c) { return show[c]; }) : [];
        if (!open.length) { Y[v] = row * ROW; row++; continue; }
        stack.push([v, depth, true]);
        for (var j = open.length - 1; j >= 0; j--) stack.push([open[j], depth + 1, false]);
      }
      row += 0.6;
    });
  }
  // Per-relation counts of what a collapsed node hides (among what the filters show).
  function hiddenCounts(v) {
    var counts = {}, stack = tchildren[v].slice(), total = 0;
    while (stack.length) {
      var c = stack.pop();
      if (!show[c]) continue;
      total++;
      var r = relationOf(c);
      counts[r] = (counts[r] || 0) + 1;
      tchildren[c].forEach(function (g) { stack.push(g); });
    }
    var parts = Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; })
      .map(function (r) { return counts[r] + ' ' + r; });
    return { total: total, text: parts.join(', ') };
  }

  // ---- drawing ----
  function shape(kind, cls) {
    if (kind === 'dataset') return '<rect class="shape ' + cls + '" width="' + W + '" height="' + H + '" rx="11"/>';
    if (kind === 'space') {
      var s = 8;
      return '<path class="shape ' + cls + '" d="M' + s + ',0H' + (W - s) + 'L' + W + ',' + H / 2 + 'L' + (W - s) + ',' + H + 'H' + s + 'L0,' + H / 2 + 'Z"/>';
    }
    return '<rect class="shape ' + cls + '" width="' + W + '" height="' + H + '" rx="3"/>';
  }
  function shortId(id) { return id.length > 28 ? id.slice(0, 11) + '…' + id.slice(id.length - 16) : id; }
  function edgePath(a, b) {
    var x1 = X[a] + W, y1 = Y[a] + H / 2, x2 = X[b], y2 = Y[b] + H / 2, mx = (x1 + x2) / 2;
    return 'M' + x1 + ',' + y1 + 'C' + mx + ',' + y1 + ' ' + mx + ',' + y2 + ' ' + x2 + ',' + y2;
  }
  function edgeMarkup(k, cross) {
    var e = E[k], st = relStyle[e[2]] || {};
    return '<path class="edge' + (cross ? ' cross' : '') + (e[3] === 'card_text' ? ' suggested' : '') + '" d="' + edgePath(e[0], e[1]) +
      '" stroke="' + st.color + '" stroke-width="' + (cross ? 1 : st.width) + '"' + (st.dash ? ' stroke-dasharray="' + st.dash + '"' : '') + '><title>' + esc(N[e[0]].id + ' →' + e[2] + '→ ' + N[e[1]].id) + '</title></path>';
  }
  function nodeMarkup(i) {
    var d = N[i], fam = famInfo[d.family] || {};
    var cls = 'node kind-' + d.kind + ' fam-' + d.family + (d.status !== 'ok' ? ' unreadable' : '') +
      (d.worst ? ' sev-' + d.worst : '') + (pass[i] ? '' : ' ctx') + (d.root ? ' root' : '') + (i === selected ? ' selected' : '');
    var label = shortId(d.id) + (d.status !== 'ok' ? ' (' + d.status + ')' : '');
    var hasKids = tchildren[i].some(function (c) { return show[c]; });
    var aria = d.id + ', ' + d.kind + ', ' + (d.license || 'no license') + (d.worst ? ', worst finding ' + d.worst : '') + (d.status !== 'ok' ? ', ' + d.status : '');
    var s = '<g class="' + cls + '" data-node-id="' + esc(d.id) + '" data-i="' + i + '" transform="translate(' + X[i] + ',' + Y[i] + ')" tabindex="0" role="treeitem" aria-label="' + esc(aria) + '"' +
      (hasKids ? ' aria-expanded="' + (collapsed[i] ? 'false' : 'true') + '"' : '') + '>' +
      '<title>' + esc(d.id) + '</title>' + shape(d.kind, '') +
      '<rect class="famtag" x="3" y="3" width="22" height="16" rx="2" fill="' + (fam.color || '#fff') + '"/>' +
      '<text class="tag" x="14" y="15">' + esc(fam.tag || '') + '</text>' +
      '<text class="label" x="30" y="15">' + esc(label) + '</text>';
    if (d.worst) s += '<text class="badge" x="' + (W - 14) + '" y="15">' + SEV_MARK[d.worst] + '</text>';
    if (hasKids) {
      s += '<g class="toggle" data-toggle="' + i + '" role="button" aria-label="' + (collapsed[i] ? 'Expand' : 'Collapse') + ' ' + esc(d.id) + '">' +
        '<rect x="' + (W + 4) + '" y="3" width="16" height="16" rx="3"/><text x="' + (W + 12) + '" y="15">' + (collapsed[i] ? '▸' : '▾') + '</text></g>';
      if (collapsed[i]) {
        var hc = hiddenCounts(i);
        s += '<text class="counts" x="' + (W + 26) + '" y="15">▸ ' + esc(hc.text) + '</text>';
      }
    }
    return s + '</g>';
  }
  var selected = -1;
  function render() {
    layout();
    var edges = [], nodes = [];
    visible.forEach(function (v) {
      if (tparent[v] >= 0 && isVisible[tparent[v]]) edges.push(edgeMarkup(tedge[v], false));
      parentsOf[v].forEach(function (k) {
        if (k !== tedge[v] && isVisible[E[k][0]] && E[k][0] !== v) edges.push(edgeMarkup(k, true));
      });
    });
    visible.forEach(function (v) { nodes.push(nodeMarkup(v)); });
    $('edges').innerHTML = edges.join('');
    $('nodes').innerHTML = nodes.join('');
    var shown = 0;
    for (var i = 0; i < n; i++) shown += pass[i];
    $('summary').textContent = n + ' repos, ' + E.length + ' edges, ' + F.length + ' findings — ' +
      visible.length + ' drawn' + (shown < n ? ', ' + shown + ' match the filters' : '');
    document.body.setAttribute('data-visible-nodes', String(visible.length));
  }

  // ---- pan and zoom ----
  var svg = $('graph'), vp = $('viewport');
  var view = { x: 20, y: 20, k: 1 };
  function apply() { vp.setAttribute('transform', 'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')'); }
  function zoomAt(f, cx, cy) {
    var k = Math.min(3, Math.max(0.02, view.k * f));
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    apply();
  }
  function fit() {
    if (!visible.length) return;
    var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    visible.forEach(function (v) {
      minX = Math.min(minX, X[v]); maxX = Math.max(maxX, X[v] + W + (collapsed[v] ? 230 : 30));
      minY = Math.min(minY, Y[v]); maxY = Math.max(maxY, Y[v] + H);
    });
    var r = svg.getBoundingClientRect();
    var k = Math.min(1.2, Math.max(0.02, Math.min((r.width - 40) / (maxX - minX), (r.height - 40) / (maxY - minY))));
    // A small picture stays readable: below 0.7 it is shown from its top left, to be panned.
    if (k < 0.7 && visible.length <= 60) k = 0.7;
    view.k = k; view.x = 20 - minX * k; view.y = 20 - minY * k;
    apply();
  }
  function centreOn(i) {
    var r = svg.getBoundingClientRect();
    view.k = Math.max(view.k, 0.9);
    view.x = r.width / 2 - (X[i] + W / 2) * view.k;
    view.y = r.height / 2 - (Y[i] + H / 2) * view.k;
    apply();
  }
  svg.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    zoomAt(ev.deltaY < 0 ? 1.15 : 1 / 1.15, ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener('pointerdown', function (ev) {
    if (ev.target.closest && ev.target.closest('.node')) return;
    drag = { x: ev.clientX - view.x, y: ev.clientY - view.y };
    svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener('pointermove', function (ev) {
    if (!drag) return;
    view.x = ev.clientX - drag.x; view.y = ev.clientY - drag.y; apply();
  });
  svg.addEventListener('pointerup', function () { drag = null; });
  $('zoom-in').addEventListener('click', function () { var r = svg.getBoundingClientRect(); zoomAt(1.25, r.width / 2, r.height / 2); });
  $('zoom-out').addEventListener('click', function () { var r = svg.getBoundingClientRect(); zoomAt(0.8, r.width / 2, r.height / 2); });
  $('fit').addEventListener('click', fit);

  // ---- interaction ----
  function nodeEl(i) {
    return document.querySelector('#nodes [data-i="' + i + '"]');
  }
  function toggle(i) {
    collapsed[i] = collapsed[i] ? 0 : 1;
    render();
    var el = nodeEl(i);
    if (el) el.focus();
  }
  function focusNode(i) {
    if (!show[i]) return false;
    reveal(i);
    selected = i;
    render();
    centreOn(i);
    var el = nodeEl(i);
    if (el) { el.classList.add('hit'); el.focus(); }
    details(i);
    return true;
  }
  $('nodes').addEventListener('click', function (ev) {
    var t = ev.target.closest('[data-toggle]');
    if (t) { toggle(+t.getAttribute('data-toggle')); return; }
    var g = ev.target.closest('.node');
    if (g) { selected = +g.getAttribute('data-i'); markSelected(); details(selected); }
  });
  $('nodes').addEventListener('keydown', function (ev) {
    var g = ev.target.closest('.node');
    if (!g) return;
    var i = +g.getAttribute('data-i');
    if (ev.key === 'Enter') {
      // The details panel takes the keyboard focus (Escape there comes back to the node).
      ev.preventDefault(); selected = i; markSelected(); details(i); $('details').focus();
    }
    else if (ev.key === ' ') { ev.preventDefault(); if (tchildren[i].length) toggle(i); }
  });
  function markSelected() {
    document.querySelectorAll('#nodes .selected').forEach(function (x) { x.classList.remove('selected'); });
    var el = nodeEl(selected);
    if (el) el.classList.add('selected');
  }
  document.addEventListener('keydown', function (ev) {
    if (ev.key === '/' && document.activeElement !== $('search')) { ev.preventDefault(); $('search').focus(); }
  });

  // ---- search ----
  var matches = [], cursor = -1;
  $('search').addEventListener('input', function () {
    var q = this.value.trim().toLowerCase();
    matches = [];
    cursor = -1;
    if (q) for (var i = 0; i < n; i++) if (N[i].id.toLowerCase().indexOf(q) >= 0) matches.push(i);
    // Exact ids first, then what the filters show, then by id.
    matches.sort(function (a, b) {
      return (N[b].id.toLowerCase() === q) - (N[a].id.toLowerCase() === q) || show[b] - show[a] || a - b;
    });
    $('search-status').textContent = q ? (matches.length ? matches.length + ' match' + (matches.length > 1 ? 'es' : '') + ' — Enter to go' : 'no repo matches') : '';
  });
  $('search').addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter' || !matches.length) return;
    ev.preventDefault();
    cursor = (cursor + 1) % matches.length;
    var i = matches[cursor];
    if (!focusNode(i)) {
      $('search-status').textContent = N[i].id + ' is hidden by the filters (Reset filters to see it)';
      return;
    }
    $('search-status').textContent = (cursor + 1) + ' of ' + matches.length + ': ' + N[i].id + ' (Enter for the next, / to search again)';
  });

  // ---- details ----
  function nodeButton(i) { return '<button type="button" class="link" data-focus="' + i + '">' + esc(N[i].id) + '</button>'; }
  function section(title, body) { return body ? '<h3>' + esc(title) + '</h3>' + body : ''; }
  function details(i) {
    var d = N[i], fam = famInfo[d.family] || {};
    var h = '<h2>' + esc(d.id) + '</h2>';
    h += '<p><a href="' + esc(hubUrl(d)) + '" target="_blank" rel="noopener">Open on the Hub</a> <span class="hint">(' + esc(hubUrl(d)) + ')</span></p>';
    h += '<dl><dt>kind</dt><dd>' + esc(d.kind) + '</dd><dt>status</dt><dd>' + esc(d.status) + (d.reason ? ' — ' + esc(d.reason) : '') + '</dd>' +
      '<dt>license</dt><dd>' + esc(d.license || 'none declared') + ' <span class="hint">(' + esc(fam.label || d.family) + ')</span></dd></dl>';
    if (tchildren[i].length) {
      h += '<p><button type="button" data-toggle-details="' + i + '">' + (collapsed[i] ? 'Expand' : 'Collapse') + ' descendants (' + descCount[i] + ')</button></p>';
    }
    if (d.obligations && d.obligations.length) {
      h += section('Obligations from ancestors', '<ul>' + d.obligations.map(function (o) { return '<li>' + esc(o) + '</li>'; }).join('') + '</ul>');
    }
    h += section('Parents', parentsOf[i].length ? '<ul>' + parentsOf[i].map(function (k) {
      var e = E[k];
      return '<li>' + nodeButton(e[0]) + ' <span class="rel">' + esc(e[2]) + '</span> <span class="hint">(' + esc(e[3]) + ')</span></li>';
    }).join('') + '</ul>' : '');
    if (childrenOf[i].length) {
      var byRel = {};
      childrenOf[i].forEach(function (k) { var r = E[k][2]; (byRel[r] = byRel[r] || []).push(k); });
      var body = Object.keys(byRel).map(function (r) {
        var ks = byRel[r];
        return '<li><span class="rel">' + esc(r) + '</span>: ' + ks.length + '<ul>' + ks.slice(0, 25).map(function (k) {
          return '<li>' + nodeButton(E[k][1]) + ' <span class="hint">(' + esc(E[k][3]) + ')</span></li>';
        }).join('') + (ks.length > 25 ? '<li class="hint">… and ' + (ks.length - 25) + ' more</li>' : '') + '</ul></li>';
      }).join('');
      h += section('Children', '<ul>' + body + '</ul>');
    }
    var doc = d.documentation;
    if (doc) {
      var ev = (doc.evidence || []).map(function (x) { return '<li><b>' + esc(x.item) + '</b>: “' + esc(x.quote) + '”</li>'; }).join('');
      var miss = (doc.missing || []).length ? '<p>Not found: ' + esc(doc.missing.join(', ')) + '</p>' : '';
      h += section('What changed (' + doc.relation + '): ' + doc.verdict, (ev ? '<ul>' + ev + '</ul>' : '<p>No evidence in the card.</p>') + miss);
    }
    var fs = findingsOf[i];
    if (fs.length) {
      h += section('Findings', '<ul class="findings">' + fs.map(function (k) {
        var f = F[k], info = D.codes[f[0]] || {};
        return '<li class="sev-' + f[1] + '"><span class="sev">' + SEV_MARK[f[1]] + ' ' + f[1] + '</span> <code>' + esc(f[0]) + '</code> ' + esc(f[4]) +
          '<details><summary>' + esc(info.summary || 'about this code') + '</summary><p>' + esc(info.explanation) + '</p><p><b>Resolve:</b> ' + esc(info.resolve) + '</p></details></li>';
      }).join('') + '</ul>');
    }
    var panel = $('details');
    panel.innerHTML = h;
  }
  $('details').addEventListener('click', function (ev) {
    var b = ev.target.closest('[data-focus]');
    if (b) { focusOrSay(+b.getAttribute('data-focus')); return; }
    var t = ev.target.closest('[data-toggle-details]');
    if (t) { var i = +t.getAttribute('data-toggle-details'); collapsed[i] = collapsed[i] ? 0 : 1; render(); details(i); }
  });
  $('details').addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape' || selected < 0) return;
    var el = nodeEl(selected);
    if (el) el.focus();
  });
  function focusOrSay(i) {
    if (!focusNode(i)) $('search-status').textContent = N[i].id + ' is hidden by the filters (Reset filters to see it)';
  }

  // ---- findings table ----
  var TABLE_ROWS = 1000;
  function renderTable() {
    var rows = [], total = 0;
    for (var k = 0; k < F.length; k++) {
      var f = F[k];
      if (f[2] >= 0 && !pass[f[2]]) continue;
      if (!findingMatches(f)) continue;
      total++;
      if (rows.length >= TABLE_ROWS) continue;
      rows.push('<tr class="sev-' + f[1] + '"' + (f[2] >= 0 ? ' data-focus="' + f[2] + '" tabindex="0"' : '') + '><td><span class="sev">' + SEV_MARK[f[1]] + ' ' + f[1] + '</span></td><td><code>' +
        esc(f[0]) + '</code></td><td>' + (f[2] >= 0 ? esc(N[f[2]].id) : '') + '</td><td>' + esc(f[4]) + '</td></tr>');
    }
    $('findings').innerHTML = rows.join('') || '<tr><td colspan="4">no findings match</td></tr>';
    $('findings-title').textContent = 'Findings (' + total + (total < F.length ? ' of ' + F.length : '') + ')';
    $('findings-more').textContent = total > TABLE_ROWS ? 'The first ' + TABLE_ROWS + ' are listed; narrow the filters to see the others.' : '';
  }
  function tableGo(ev) {
    var tr = ev.target.closest('tr[data-focus]');
    if (tr) focusOrSay(+tr.getAttribute('data-focus'));
  }
  $('findings').addEventListener('click', tableGo);
  $('findings').addEventListener('keydown', function (ev) { if (ev.key === 'Enter') tableGo(ev); });

  // ---- filter and legend panels ----
  function checks(group, names, label) {
    return '<fieldset><legend>' + esc(label) + '</legend>' + names.map(function (name) {
      var id = 'f-' + group + '-' + name;
      return '<label for="' + esc(id) + '"><input type="checkbox" id="' + esc(id) + '" data-group="' + group + '" value="' + esc(name) + '" checked> ' +
        esc(group === 'family' ? (famInfo[name] || {}).label || name : name) + '</label>';
    }).join('') + '</fieldset>';
  }
  function buildFilters() {
    var rels = Object.keys(present.relation).sort(function (a, b) { return PRIORITY[a] - PRIORITY[b]; });
    var h = checks('relation', rels, 'Relation') + checks('kind', Object.keys(present.kind).sort(), 'Kind') +
      checks('family', D.families.map(function (f) { return f.class; }).filter(function (c) { return present.family[c]; }), 'License family');
    h += '<fieldset><legend>Findings</legend><label for="f-code">code <select id="f-code"><option value="">any</option>' +
      Object.keys(present.code).sort().map(function (c) { return '<option value="' + esc(c) + '">' + esc(c) + '</option>'; }).join('') +
      '</select></label><label for="f-sev">severity at least <select id="f-sev"><option value="0">any</option><option value="1">info</option><option value="2">warn</option><option value="3">deny</option></select></label>' +
      '<label for="f-paths"><input type="checkbox" id="f-paths"> only paths to flagged nodes</label></fieldset>' +
      '<button type="button" id="f-reset">Reset filters</button>';
    $('filters').innerHTML = h;
    $('filters').addEventListener('change', function (ev) {
      var t = ev.target;
      if (t.dataset.group) filter[t.dataset.group][t.value] = t.checked;
      else if (t.id === 'f-code') filter.code = t.value;
      else if (t.id === 'f-sev') filter.severity = +t.value;
      else if (t.id === 'f-paths') filter.paths = t.checked;
      update();
    });
    $('filters').addEventListener('click', function (ev) {
      if (ev.target.id !== 'f-reset') return;
      resetFilters();
      $('filters').querySelectorAll('input[type=checkbox][data-group]').forEach(function (c) { c.checked = true; });
      $('f-code').value = ''; $('f-sev').value = '0'; $('f-paths').checked = false;
      update();
    });
  }
  function buildLegend() {
    var h = '<ul class="kinds"><li><svg width="34" height="16"><rect x="1" y="1" width="32" height="14" rx="2" class="lg"/></svg> model</li>' +
      '<li><svg width="34" height="16"><rect x="1" y="1" width="32" height="14" rx="7" class="lg"/></svg> dataset</li>' +
      '<li><svg width="34" height="16"><path d="M6,1H28L33,8L28,15H6L1,8Z" class="lg"/></svg> Space</li>' +
      '<li><svg width="34" height="16"><rect x="1" y="1" width="32" height="14" rx="2" class="lg unread"/></svg> could not be read</li></ul>';
    h += '<ul class="fams">' + D.families.map(function (f) {
      return '<li><span class="swatch" style="background:' + f.color + '">' + esc(f.tag) + '</span> ' + esc(f.label) + '</li>';
    }).join('') + '</ul>';
    h += '<ul class="sevs"><li><span class="sev sev-deny">✖</span> deny</li><li><span class="sev sev-warn">▲</span> warn</li><li><span class="sev sev-info">i</span> info (outline and mark)</li></ul>';
    h += '<ul class="rels">' + D.relations.filter(function (r) { return present.relation[r.name]; }).map(function (r) {
      return '<li><svg width="40" height="10"><line x1="0" y1="5" x2="40" y2="5" stroke="' + r.color + '" stroke-width="' + r.width + '"' + (r.dash ? ' stroke-dasharray="' + r.dash + '"' : '') + '/></svg> ' + esc(r.name) + '</li>';
    }).join('') + '</ul><p class="hint">Thin lines: a second parent (merges, data, Spaces). Faded: shown only on the way to what the filters match.</p>';
    $('legend').innerHTML = h;
  }
  // The findings table follows the filters (collapsing is navigation, not a filter).
  function update() {
    computeShow();
    render();
    renderTable();
  }

  $('expand-all').addEventListener('click', function () { collapsed.fill(0); render(); fit(); });
  $('collapse-all').addEventListener('click', function () {
    for (var i = 0; i < n; i++) collapsed[i] = tchildren[i].length ? 1 : 0;
    render(); fit();
  });
  $('open-size').value = D.open;
  $('reopen').addEventListener('click', function () {
    var b = Math.max(1, parseInt($('open-size').value, 10) || D.open);
    openAtMost(b); render(); fit();
  });

  buildFilters();
  buildLegend();
  computeShow();
  openAtMost(D.open);
  render();
  renderTable();
  fit();
  document.body.setAttribute('data-ready', String(Math.round(performance.now())));
})();
