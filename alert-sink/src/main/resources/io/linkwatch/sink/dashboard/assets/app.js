/* linkwatch live dashboard: renders the board from the JSON API and keeps it live over SSE. */
(function () {
  'use strict';

  var SEVS = ['Sev0', 'Sev1', 'Sev2', 'Sev3', 'Sev4'];
  var SEV_NAMES = { Sev0: 'critical', Sev1: 'error', Sev2: 'warning', Sev3: 'informational', Sev4: 'verbose' };
  var PALETTE = ['#58a6ff', '#f4511e', '#66bb6a', '#ffb300', '#ab47bc', '#26c6da', '#ec407a', '#8d6e63'];

  var state = { summary: null, active: [], transitions: [], receivers: [], silences: [], charts: {}, fresh: {} };

  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
  function sevVar(sev) { return 'var(--' + String(sev).toLowerCase() + ')'; }
  function getJson(url) {
    return fetch(url, { headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) { throw new Error(url + ' → HTTP ' + r.status); }
      return r.json();
    });
  }
  function ago(iso) {
    if (!iso) { return ''; }
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) { return s + 's ago'; }
    if (s < 3600) { return Math.floor(s / 60) + 'm ago'; }
    if (s < 86400) { return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm ago'; }
    return Math.floor(s / 86400) + 'd ago';
  }
  function clock(iso) {
    if (!iso) { return ''; }
    var d = new Date(iso);
    return d.toISOString().substring(11, 19) + 'Z';
  }
  function num(v) {
    if (v == null || v === '') { return '–'; }
    var n = Number(v);
    return Number.isInteger(n) ? String(n) : n.toPrecision(4).replace(/\.?0+$/, '');
  }

  // ------------------------------------------------------------------ header
  function renderCounts() {
    var s = state.summary;
    if (!s) { return; }
    var html = SEVS.map(function (sev) {
      var n = s.activeBySeverity[sev] || 0;
      return '<span class="count' + (n ? '' : ' zero') + '" title="' + SEV_NAMES[sev] + '" data-sev="' + sev + '">' +
        '<span class="dot" style="background:' + sevVar(sev) + '"></span>' + sev + ' <span class="n">' + n + '</span></span>';
    }).join('');
    html += '<span class="count' + (s.inhibited ? '' : ' zero') + '" title="explained by another alert: not paged">' +
      '<span class="dot" style="background:var(--inhibited)"></span>inhibited <span class="n">' + s.inhibited + '</span></span>';
    html += '<span class="count' + (s.flapping ? '' : ' zero') + '">' +
      '<span class="dot" style="background:var(--flapping)"></span>flapping <span class="n">' + s.flapping + '</span></span>';
    if (s.receiversFailing) {
      html += '<span class="count" style="border-color:var(--sev0)"><span class="dot" style="background:var(--sev0)"></span>receivers failing <span class="n">' + s.receiversFailing + '</span></span>';
    }
    $('counts').innerHTML = html;
    var total = s.active || 0;
    $('active-note').textContent = total ? total + ' active' + (s.caughtUp ? '' : ' · loading history…') : (s.caughtUp ? '' : 'loading history…');
    document.title = (total ? '(' + total + ') ' : '') + 'linkwatch · on call';
  }

  // ------------------------------------------------------------------ alerts
  function alertCard(a) {
    var sev = a.severity;
    var cls = 'alert-card' + (a.inhibited ? ' inhibited' : '') + (state.fresh[a.fingerprint] ? ' fresh' : '');
    var tags = '';
    if (a.inhibited) { tags += '<span class="tag inhibited" title="' + esc(a.inhibitedBy || '') + '">INHIBITED</span>'; }
    if (a.flapping) { tags += '<span class="tag flapping">FLAPPING</span>'; }
    if (a.transition === 'REVISED') { tags += '<span class="tag revised">REVISED</span>'; }
    var dims = Object.keys(a.dimensions || {}).map(function (k) {
      return '<span class="chip">' + esc(k) + ' <b>' + esc(a.dimensions[k]) + '</b></span>';
    }).join('');
    var c = a.condition || {};
    var meter = '';
    if (c.threshold != null) {
      var max = Math.max(Number(c.observedValue), Number(c.threshold)) * 1.15 || 1;
      var pct = Math.min(100, 100 * Number(c.observedValue) / max);
      var tpct = Math.min(100, 100 * Number(c.threshold) / max);
      meter = '<div class="meter"><span><b style="color:var(--text)">' + num(c.observedValue) + '</b> ' + esc(c.aggregation) +
        ' vs ' + esc(c.operator) + ' ' + num(c.threshold) + '</span><div class="bar"><span style="width:' + pct.toFixed(1) +
        '%"></span><i style="left:' + tpct.toFixed(1) + '%"></i></div><span>window ' + clock(c.windowStart) + '–' + clock(c.windowEnd) + '</span></div>';
    }
    var hint = a.hint ? '<div class="hint"><b>Probable cause:</b> ' + esc(a.hint.probableCause) +
      '<br><b>What to do:</b> ' + esc(a.hint.solution) + '</div>' : '';
    return '<article class="' + cls + '" style="--sevc:' + sevVar(sev) + '" data-fingerprint="' + esc(a.fingerprint) + '" tabindex="0">' +
      '<div class="alert-top"><span class="sev">' + sev + '</span><span class="alertname">' + esc(a.labels.alertname) + '</span>' + tags +
      '<span class="since" title="' + esc(a.firedAt) + '">fired ' + ago(a.firedAt) + '</span></div>' +
      '<div class="summary">' + esc(a.summary) + '</div><div class="dims">' + dims + '</div>' + meter + hint + '</article>';
  }

  function renderAlerts() {
    var box = $('active-alerts');
    if (!state.active.length) {
      box.innerHTML = '<div class="empty-state"><div class="big">✓</div>All clear: no active alerts.</div>';
      return;
    }
    var html = '';
    SEVS.forEach(function (sev) {
      var list = state.active.filter(function (a) { return a.severity === sev; });
      if (!list.length) { return; }
      html += '<div class="sev-group-title" style="color:' + sevVar(sev) + '">' + sev + ' · ' + SEV_NAMES[sev] + ' (' + list.length + ')</div>';
      html += list.map(alertCard).join('');
    });
    box.innerHTML = html;
  }

  function upsertActive(alert, active) {
    state.active = state.active.filter(function (a) { return a.fingerprint !== alert.fingerprint; });
    if (active) {
      state.active.push(alert);
      state.fresh[alert.fingerprint] = true;
      setTimeout(function () { delete state.fresh[alert.fingerprint]; }, 2000);
    }
    state.active.sort(function (x, y) {
      return x.severity === y.severity ? Date.parse(y.firedAt) - Date.parse(x.firedAt) : (x.severity < y.severity ? -1 : 1);
    });
  }

  // ------------------------------------------------------------------ transitions
  function renderTransitions() {
    var html = state.transitions.slice(0, 60).map(function (t) {
      return '<li><span class="muted mono">' + clock(t.at) + '</span><span class="tr-kind ' + esc(t.transition) + '">' + esc(t.transition) +
        '</span><span class="tr-sev" style="--sevc:' + sevVar(t.severity) + '">' + esc(t.severity) + '</span>' +
        '<span class="tr-text"><a href="?alert=' + encodeURIComponent(t.fingerprint) + '" data-fp="' + esc(t.fingerprint) + '">' + esc(t.alertname) +
        '</a> <span class="muted">' + esc(t.summary) + '</span></span></li>';
    }).join('');
    $('transitions').innerHTML = html || '<li class="muted">No transitions yet.</li>';
  }

  // ------------------------------------------------------------------ receivers & silences
  function renderReceivers() {
    $('receivers').innerHTML = state.receivers.map(function (r) {
      var o = r.outcomes || {};
      var counts = Object.keys(o).map(function (k) { return k.replace('_', ' ') + ' ' + o[k]; }).join(' · ');
      return '<li><span class="state ' + esc(r.state) + '">' + esc(r.state) + '</span><span class="rcv-name">' + esc(r.name) +
        '</span><span class="muted small">' + esc(r.type) + ' → ' + esc(r.target) + '</span><span class="muted small">' + esc(counts) + '</span>' +
        (r.state === 'failing' ? '<span class="err">' + esc(r.lastError) + (r.waiting ? ' · ' + r.waiting + ' waiting' : '') + '</span>' : '') + '</li>';
    }).join('') || '<li class="muted">No receivers.</li>';
  }

  function renderSilences() {
    $('silences').innerHTML = state.silences.map(function (s) {
      var when = s.schedule ? (s.schedule.days.join(', ') || 'every day') + ' ' + s.schedule.start + '–' + s.schedule.end + ' ' + s.schedule.timeZone : '';
      if (s.startsAt || s.endsAt) { when += (when ? ' · ' : '') + (s.startsAt ? clock(s.startsAt) + ' ' + s.startsAt.substring(0, 10) : '…') + ' → ' + (s.endsAt ? s.endsAt.substring(0, 10) + ' ' + clock(s.endsAt) : '…'); }
      return '<li><span class="state ' + (s.active ? 'active' : 'idle') + '">' + (s.active ? 'active' : s.expired ? 'expired' : 'idle') + '</span><span class="rcv-name">' + esc(s.name) +
        '</span><span class="mono muted">' + esc(s.matchers.join(', ')) + '</span><span class="muted small">' + esc(when) + (s.silenced ? ' · ' + s.silenced + ' silenced' : '') + '</span></li>';
    }).join('') || '<li class="muted">No silences configured.</li>';
  }

  // ------------------------------------------------------------------ charts
  function measure() { return $('measure').value; }

  function chartFor(signal) {
    if (state.charts[signal]) { return state.charts[signal]; }
    var box = $('signals');
    var empty = box.querySelector('.empty');
    if (empty) { empty.remove(); }
    var card = document.createElement('div');
    card.className = 'signal-card';
    card.innerHTML = '<h3>' + esc(signal) + '</h3><div class="chart-box"><canvas></canvas></div>';
    // keep the cards in name order
    var after = Array.prototype.find.call(box.children, function (c) { return c.dataset.signal > signal; });
    card.dataset.signal = signal;
    box.insertBefore(card, after || null);
    var grid = css('--line'), text = css('--muted');
    var chart = new Chart(card.querySelector('canvas'), {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', ticks: { color: text, maxTicksLimit: 6, callback: function (v) { return new Date(v).toISOString().substring(11, 16); } }, grid: { color: grid } },
          y: { beginAtZero: true, ticks: { color: text, maxTicksLimit: 5 }, grid: { color: grid } }
        },
        plugins: {
          legend: { display: true, position: 'bottom', labels: { color: text, boxWidth: 10, font: { size: 11 } } },
          tooltip: { callbacks: { title: function (items) { return items.length ? new Date(items[0].parsed.x).toISOString().replace('T', ' ').substring(0, 19) + 'Z' : ''; } } }
        },
        elements: { point: { radius: 0, hoverRadius: 4 }, line: { borderWidth: 2, tension: 0.25 } }
      }
    });
    state.charts[signal] = { chart: chart, series: {} };
    return state.charts[signal];
  }

  function setSeries(signal, key, points) {
    var c = chartFor(signal);
    c.series[key] = points;
    redraw(signal);
  }

  function redraw(signal) {
    var c = state.charts[signal];
    var m = measure();
    var keys = Object.keys(c.series).sort(function (a, b) { return lastValue(c.series[b], m) - lastValue(c.series[a], m); }).slice(0, 6);
    var xs = [];
    keys.forEach(function (k) { c.series[k].forEach(function (p) { xs.push(Date.parse(p.windowEnd)); }); });
    c.chart.options.scales.x.min = xs.length ? Math.min.apply(null, xs) : undefined;
    c.chart.options.scales.x.max = xs.length ? Math.max.apply(null, xs) : undefined;
    c.chart.data.datasets = keys.map(function (k, i) {
      return {
        label: k, borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
        data: c.series[k].map(function (p) { return { x: Date.parse(p.windowEnd), y: p[m] == null ? null : Number(p[m]) }; })
      };
    });
    c.chart.update('none');
  }

  function lastValue(points, m) { return points.length ? Number(points[points.length - 1][m] || 0) : 0; }

  function onAggregate(e) {
    var c = chartFor(e.signal);
    var pts = c.series[e.series] || [];
    pts = pts.filter(function (p) { return p.windowStart !== e.point.windowStart; });
    pts.push(e.point);
    pts.sort(function (a, b) { return Date.parse(a.windowStart) - Date.parse(b.windowStart); });
    if (pts.length > 240) { pts = pts.slice(pts.length - 240); }
    c.series[e.series] = pts;
    scheduleRedraw(e.signal);
  }

  var pending = {};
  function scheduleRedraw(signal) {
    if (pending[signal]) { return; }
    pending[signal] = setTimeout(function () { delete pending[signal]; redraw(signal); }, 250);
  }

  function loadSignals() {
    return getJson('/api/v1/signals').then(function (list) {
      return Promise.all(list.map(function (s) {
        return getJson('/api/v1/signals/' + encodeURIComponent(s.signal)).then(function (d) {
          d.series.forEach(function (x) { setSeries(d.signal, x.key, x.points); });
        });
      }));
    });
  }

  // ------------------------------------------------------------------ detail drawer
  function openDetail(fp) {
    getJson('/api/v1/alerts/' + encodeURIComponent(fp)).then(renderDetail).catch(function (err) {
      $('detail-body').innerHTML = '<p class="muted">' + esc(err.message) + ' (resolved long ago, or not read yet)</p>';
      $('detail').hidden = false;
    });
  }

  function renderDetail(a) {
    var c = a.condition || {};
    var samples = (a.evidence.sampleEvents || []).map(function (e) {
      return '<tr><td class="mono">' + esc(e.time.replace('T', ' ').replace('Z', '')) + '</td><td>' + esc(e.summary) + '</td><td class="mono">' + esc(e.code || '') +
        '</td><td class="mono">' + esc(e.topic) + '/' + e.partition + '@' + e.offset + '</td></tr>';
    }).join('');
    var offsets = (a.evidence.inputOffsets || []).map(function (o) {
      return '<li class="mono">' + esc(o.topic) + '/' + o.partition + ' offsets ' + o.fromOffset + '–' + o.toOffset + ' (' + o.count + ' records)</li>';
    }).join('');
    var deliveries = (a.deliveries || []).map(function (d) {
      return '<tr><td>' + esc(d.receiver) + '</td><td><span class="outcome ' + esc(d.outcome) + '">' + esc(d.outcome.replace('_', ' ')) + '</span></td><td>' +
        esc(d.transition) + '</td><td class="muted">' + esc(d.detail) + '</td><td class="muted">' + ago(d.at) + '</td></tr>';
    }).join('');
    var dims = Object.keys(a.dimensions || {}).map(function (k) { return '<span class="chip">' + esc(k) + ' <b>' + esc(a.dimensions[k]) + '</b></span>'; }).join(' ');
    $('detail-body').innerHTML =
      '<div class="detail-title" style="--sevc:' + sevVar(a.severity) + '"><span class="sev">' + a.severity + '</span><h1>' + esc(a.labels.alertname) + '</h1>' +
      (a.status === 'resolved' ? '<span class="tag" style="color:var(--ok)">RESOLVED</span>' : '') +
      (a.inhibited ? '<span class="tag inhibited">INHIBITED</span>' : '') + (a.flapping ? '<span class="tag flapping">FLAPPING</span>' : '') + '</div>' +
      '<p class="summary">' + esc(a.summary) + '</p>' + (a.description && a.description !== a.summary ? '<p>' + esc(a.description) + '</p>' : '') +
      '<div class="dims">' + dims + '</div>' +
      (a.hint ? '<div class="hint"><b>Probable cause:</b> ' + esc(a.hint.probableCause) + '<br><b>What to do:</b> ' + esc(a.hint.solution) +
        (a.hint.reference ? '<br><a href="' + esc(a.hint.reference) + '" target="_blank" rel="noopener">Troubleshooting reference</a>' : '') + '</div>' : '') +
      '<dl class="kv">' +
      '<dt>Value</dt><dd><b>' + num(c.observedValue) + '</b> (' + esc(c.aggregation) + ') ' + esc(c.operator) + ' ' + (c.threshold != null ? num(c.threshold) : '[' + num(c.lowerThreshold) + ', ' + num(c.upperThreshold) + ']') + '</dd>' +
      '<dt>Window</dt><dd class="mono">' + esc(c.windowStart) + ' → ' + esc(c.windowEnd) + ' (' + esc(c.windowSize) + ', every ' + esc(c.evaluationFrequency) + ', ' + c.failingPeriods + ' of ' + c.evaluationPeriods + ' periods)</dd>' +
      '<dt>Fired</dt><dd>' + esc(a.firedAt) + ' (' + ago(a.firedAt) + ')</dd>' +
      (a.resolvedAt ? '<dt>Resolved</dt><dd>' + esc(a.resolvedAt) + '</dd>' : '') +
      '<dt>Transition</dt><dd>' + esc(a.transition) + ' #' + a.sequence + ' <span class="muted mono">' + esc(a.idempotencyKey) + '</span></dd>' +
      (a.inhibitedBy ? '<dt>Inhibited by</dt><dd class="mono">' + esc(a.inhibitedBy) + '</dd>' : '') +
      '<dt>Rule</dt><dd>' + esc(a.rule.name) + ' <span class="muted mono">' + esc(a.rule.id) + ' v' + a.rule.version + '</span></dd>' +
      '<dt>Signal</dt><dd class="mono">' + esc(a.signal) + '</dd>' +
      '<dt>Late records</dt><dd>' + a.evidence.lateRecords + '</dd>' +
      '<dt>Fingerprint</dt><dd class="mono">' + esc(a.fingerprint) + '</dd>' +
      '<dt>Alert record</dt><dd class="mono">' + esc(a.topicPosition || '') + '</dd>' +
      '</dl>' +
      '<h2 class="section-title">Evidence: sample events</h2>' +
      (samples ? '<table class="evidence"><thead><tr><th>time (UTC)</th><th>event</th><th>code</th><th>record</th></tr></thead><tbody>' + samples + '</tbody></table>' : '<p class="muted">No sample events.</p>') +
      (offsets ? '<h2 class="section-title">Input offsets (replay these to reproduce)</h2><ul>' + offsets + '</ul>' : '') +
      '<h2 class="section-title">Deliveries</h2>' +
      (deliveries ? '<table class="evidence"><thead><tr><th>receiver</th><th>outcome</th><th>transition</th><th>detail</th><th></th></tr></thead><tbody>' + deliveries + '</tbody></table>' : '<p class="muted">No delivery recorded yet.</p>');
    $('detail').hidden = false;
  }

  function closeDetail() {
    $('detail').hidden = true;
    if (location.search.indexOf('alert=') >= 0) { history.replaceState(null, '', location.pathname); }
  }

  // ------------------------------------------------------------------ live
  function connect() {
    var es = new EventSource('/api/v1/events');
    var live = $('live-status');
    es.onopen = function () { live.className = 'live on'; live.textContent = 'live'; };
    es.onerror = function () { live.className = 'live off'; live.textContent = 'reconnecting…'; };
    es.addEventListener('snapshot', function (m) {
      var d = JSON.parse(m.data);
      state.summary = d.summary; state.active = d.active; state.transitions = d.transitions;
      state.receivers = d.receivers; state.silences = d.silences;
      renderAll();
    });
    es.addEventListener('alert', function (m) {
      var d = JSON.parse(m.data);
      state.summary = d.summary;
      upsertActive(d.alert, d.active);
      state.transitions.unshift(d.transition);
      state.transitions = state.transitions.slice(0, 200);
      renderCounts(); renderAlerts(); renderTransitions();
    });
    es.addEventListener('aggregate', function (m) { onAggregate(JSON.parse(m.data)); });
    es.addEventListener('receiver', function (m) {
      var r = JSON.parse(m.data);
      state.receivers = state.receivers.map(function (x) { return x.name === r.name ? r : x; });
      renderReceivers();
    });
    es.addEventListener('delivery', function (m) {
      var d = JSON.parse(m.data);
      state.receivers.forEach(function (r) {
        if (r.name === d.receiver) { r.outcomes = r.outcomes || {}; r.outcomes[d.outcome] = (r.outcomes[d.outcome] || 0) + 1; if (d.outcome === 'delivered') { r.state = 'ok'; } }
      });
      renderReceivers();
    });
    es.addEventListener('ready', function (m) { state.summary = JSON.parse(m.data); renderCounts(); });
  }

  function renderAll() { renderCounts(); renderAlerts(); renderTransitions(); renderReceivers(); renderSilences(); }

  function init() {
    $('theme-toggle').addEventListener('click', function () {
      var t = document.documentElement.getAttribute('data-theme') === 'dark' ? 'light' : 'dark';
      document.documentElement.setAttribute('data-theme', t);
      localStorage.setItem('linkwatch.theme', t);
      Object.keys(state.charts).forEach(function (s) {
        var o = state.charts[s].chart.options;
        o.scales.x.grid.color = o.scales.y.grid.color = css('--line');
        o.scales.x.ticks.color = o.scales.y.ticks.color = o.plugins.legend.labels.color = css('--muted');
        state.charts[s].chart.update('none');
      });
    });
    $('measure').addEventListener('change', function () { Object.keys(state.charts).forEach(redraw); });
    $('active-alerts').addEventListener('click', function (e) {
      var card = e.target.closest('.alert-card');
      if (card) { openDetail(card.dataset.fingerprint); }
    });
    $('transitions').addEventListener('click', function (e) {
      var a = e.target.closest('a[data-fp]');
      if (a) { e.preventDefault(); openDetail(a.dataset.fp); }
    });
    $('detail-close').addEventListener('click', closeDetail);
    $('detail').addEventListener('click', function (e) { if (e.target === $('detail')) { closeDetail(); } });
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') { closeDetail(); } });
    setInterval(function () { renderAlerts(); }, 30000); // keep "fired 3m ago" honest

    Promise.all([getJson('/api/v1/summary'), getJson('/api/v1/alerts'), getJson('/api/v1/transitions?limit=60'),
      getJson('/api/v1/receivers'), getJson('/api/v1/silences')]).then(function (r) {
      state.summary = r[0]; state.active = r[1]; state.transitions = r[2]; state.receivers = r[3]; state.silences = r[4];
      renderAll();
    }).catch(function (err) { $('active-alerts').innerHTML = '<p class="err">' + esc(err.message) + '</p>'; });
    if (typeof Chart !== 'undefined') { loadSignals(); }
    connect();
    var fp = new URLSearchParams(location.search).get('alert');
    if (fp) { openDetail(fp); }
  }

  document.addEventListener('DOMContentLoaded', init);
})();
