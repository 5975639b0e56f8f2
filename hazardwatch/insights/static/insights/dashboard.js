// Statistics dashboard: draws the ECharts charts from the summary embedded in the page (#dash-data,
// the same JSON as /api/v1/stats/summary). Clicking a region bar drills down to that region's children.
(function () {
  "use strict";
  var el = document.getElementById("dash-data");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(el.textContent);
  var palette = ["#2f6fb3", "#e0803a", "#3a9d5d", "#c23b3b", "#7a5fb3", "#2aa3a3", "#b38f2f", "#8c8c8c"];
  var statusColors = {
    "new": "#8c8c8c", "triaged": "#2aa3a3", "assigned": "#2f6fb3", "rectifying": "#e0803a",
    "awaiting_verification": "#7a5fb3", "closed": "#3a9d5d", "rejected": "#b0b0b0", "merged": "#cfcfcf"
  };
  var charts = [];

  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    var c = window.echarts.init(node, null, { renderer: "canvas" });
    option.color = option.color || palette;
    option.animation = false;
    c.setOption(option);
    charts.push(c);
    return c;
  }

  function empty(id, rows) {
    if (rows.length) { return false; }
    var node = document.getElementById(id);
    if (node) { node.classList.add("is-empty"); node.textContent = node.dataset.empty || "—"; }
    return true;
  }

  function bar(id, rows, opts) {
    opts = opts || {};
    if (empty(id, rows)) { return null; }
    var names = rows.map(function (r) { return r.label || r.name; });
    return chart(id, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: names.slice().reverse(), axisLabel: { width: 150, overflow: "truncate" } },
      series: [{ type: "bar", data: rows.map(function (r) {
        return { value: r.count, itemStyle: opts.color ? { color: opts.color(r) } : undefined, code: r.code };
      }).reverse(), label: { show: true, position: "right" }, cursor: opts.cursor || "default" }]
    });
  }

  // Status: a doughnut with the workflow colours.
  if (!empty("chart-status", data.by_status)) {
    chart("chart-status", {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { type: "scroll", orient: "vertical", right: 0, top: "middle" },
      series: [{ type: "pie", radius: ["40%", "70%"], center: ["35%", "50%"], label: { show: false },
        data: data.by_status.map(function (r) {
          return { name: r.label, value: r.count, itemStyle: { color: statusColors[r.key] } };
        }) }]
    });
  }
  bar("chart-sector", data.by_sector);
  bar("chart-grade", data.by_grade, { color: function (r) {
    return r.key === "major" ? "#c23b3b" : (r.key === "general" ? "#e0803a" : "#8c8c8c");
  } });
  var regionChart = bar("chart-region", data.by_region, { cursor: "pointer" });
  if (regionChart) {
    regionChart.on("click", function (p) {
      var row = data.by_region.filter(function (r) { return r.code && (r.name === p.name); })[0];
      if (!row || !row.has_children) { return; }
      var q = new URLSearchParams(window.location.search);
      q.set("region", row.code);
      window.location.search = q.toString();
    });
  }
  if (!empty("chart-time", data.by_time)) {
    chart("chart-time", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [document.getElementById("chart-time").dataset.created || "reported",
                       document.getElementById("chart-time").dataset.closed || "closed"] },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.by_time.map(function (r) { return r.period; }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: document.getElementById("chart-time").dataset.created || "reported", type: "line", smooth: true,
          data: data.by_time.map(function (r) { return r.created; }) },
        { name: document.getElementById("chart-time").dataset.closed || "closed", type: "line", smooth: true,
          data: data.by_time.map(function (r) { return r.closed; }) }
      ]
    });
  }
  bar("chart-categories", data.top_categories);

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.dataset.dashboardReady = String(charts.length);
})();
