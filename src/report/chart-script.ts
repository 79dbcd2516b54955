/**
 * The script the report page runs to draw its charts with uPlot (inlined into the page,
 * so it opens without a network). It reads the chart data the page carries as JSON and
 * fills each `<figure data-chart=N>`: per configuration a line for the mean over seeds
 * and, with two or more seeds, a shaded band between the lowest and highest seed.
 */
export const CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var charts = JSON.parse(document.getElementById('report-data').textContent).charts;
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

  function translucent(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  }

  function formatValue(_u, v) {
    if (v == null) return '–';
    var a = Math.abs(v);
    return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(3) : String(+v.toPrecision(5));
  }

  // Steps and epochs are whole numbers: x ticks step by 1, 2, 5, 10, 20, 50, …
  var wholeIncrements = [];
  for (var decade = 1; decade <= 1e9; decade *= 10) wholeIncrements.push(decade, 2 * decade, 5 * decade);

  function options(chart, width) {
    var series = [{ label: chart.xLabel, value: formatValue }];
    var bands = [];
    var columns = [chart.x];
    var showPoints = chart.x.length <= 30;
    chart.series.forEach(function (s) {
      var color = palette[s.colour % palette.length];
      columns.push(s.mean);
      series.push({
        label: s.runs > 1 ? s.label + ' (mean of ' + s.runs + ' seeds)' : s.label,
        stroke: color, width: 2, spanGaps: true, value: formatValue,
        points: { show: showPoints, size: 6, fill: color },
      });
      if (s.runs > 1) {
        var edge = { stroke: translucent(color, 0.45), width: 1, spanGaps: true, class: 'band-edge', points: { show: false }, value: formatValue };
        columns.push(s.max);
        series.push(Object.assign({ label: s.label + ' max' }, edge));
        columns.push(s.min);
        series.push(Object.assign({ label: s.label + ' min' }, edge));
        bands.push({ series: [columns.length - 2, columns.length - 1], fill: translucent(color, 0.18) });
      }
    });
    return {
      opts: {
        width: width, height: 240,
        scales: { x: { time: false } },
        axes: [{ label: chart.xLabel, size: 40, incrs: wholeIncrements }, { size: 60, values: function (_u, ticks) { return ticks.map(function (t) { return formatValue(null, t); }); } }],
        series: series, bands: bands,
        legend: { live: true },
      },
      data: columns,
    };
  }

  var plots = [];
  document.querySelectorAll('figure[data-chart]').forEach(function (figure) {
    var chart = charts[Number(figure.getAttribute('data-chart'))];
    var host = figure.querySelector('.plot');
    var built = options(chart, host.clientWidth);
    plots.push({ plot: new uPlot(built.opts, built.data, host), host: host });
  });
  window.addEventListener('resize', function () {
    plots.forEach(function (p) { p.plot.setSize({ width: p.host.clientWidth, height: 240 }); });
  });
  document.body.setAttribute('data-charts-drawn', String(plots.length));
})();
`;
