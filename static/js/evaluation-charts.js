// Charts on the evaluator's module page, drawn with Chart.js from the same figures
// as the tables (the JSON in #evaluation-figures). Every chart has a table beside it.
(function () {
  'use strict'
  var source = document.getElementById('evaluation-figures')
  if (!source || typeof window.Chart === 'undefined') return
  var figures = JSON.parse(source.textContent)
  var SUPPRESSED = figures.suppressed
  var mainGroup = figures.attrition.length ? figures.attrition[0].group : null

  // GOV.UK colours: reds for the low end of the scale, blues for the high end.
  var LOW = ['#942514', '#d4351c', '#f47738']
  var MID = '#b1b4b6'
  var HIGH = ['#5694ca', '#1d70b8', '#003078']

  Chart.defaults.font.family = '"GDS Transport", arial, sans-serif'
  Chart.defaults.color = '#0b0c0c'

  function number (value) {
    return typeof value === 'number' ? value : null
  }

  function distributionChart () {
    var canvas = document.getElementById('distribution-chart')
    if (!canvas) return
    var values = Object.keys(figures.scale).map(Number).sort(function (a, b) { return a - b })
    var labels = figures.scale
    var middle = (values[0] + values[values.length - 1]) / 2
    var low = values.filter(function (v) { return v < middle })
    var high = values.filter(function (v) { return v > middle })
    var items = figures.items.filter(function (item) {
      return item.group === mainGroup && item.distribution_pre !== SUPPRESSED
    })
    var rows = []
    items.forEach(function (item) {
      rows.push({ label: item.item_key + ' before', shares: item.distribution_pre })
      rows.push({ label: item.item_key + ' after', shares: item.distribution_post })
    })
    function colourFor (value) {
      if (value < middle) return LOW[Math.max(0, LOW.length - low.length + low.indexOf(value))]
      if (value > middle) return HIGH[Math.min(HIGH.length - 1, high.indexOf(value))]
      return MID
    }
    // Answers below the middle go to the left (negative), answers above it to the
    // right, and the middle answer is split half and half. Chart.js stacks datasets
    // in order outwards from zero, so each side runs from the middle outwards.
    function dataset (value, direction, share, inLegend) {
      return {
        label: value + ': ' + labels[value],
        value: value,
        data: rows.map(function (row) {
          var percent = number(row.shares[String(value)])
          return percent === null ? null : direction * percent * share
        }),
        backgroundColor: colourFor(value),
        stack: 'answers',
        inLegend: inLegend
      }
    }
    var datasets = []
    var hasMiddle = values.indexOf(middle) !== -1
    if (hasMiddle) datasets.push(dataset(middle, -1, 0.5, true))
    low.slice().reverse().forEach(function (value) { datasets.push(dataset(value, -1, 1, true)) })
    if (hasMiddle) datasets.push(dataset(middle, 1, 0.5, false))
    high.forEach(function (value) { datasets.push(dataset(value, 1, 1, true)) })
    new Chart(canvas, {
      type: 'bar',
      data: { labels: rows.map(function (row) { return row.label }), datasets: datasets },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: {
            stacked: true,
            min: -100,
            max: 100,
            ticks: { callback: function (v) { return Math.abs(v) + '%' } },
            title: { display: true, text: 'Per cent of paired people (lower answers to the left)' }
          },
          y: { stacked: true }
        },
        plugins: {
          legend: {
            position: 'bottom',
            labels: {
              filter: function (item, data) { return data.datasets[item.datasetIndex].inLegend },
              sort: function (a, b, data) {
                return data.datasets[a.datasetIndex].value - data.datasets[b.datasetIndex].value
              }
            }
          },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = Math.abs(context.raw)
                var middleShare = context.dataset.value === middle
                return context.dataset.label + ': ' + (middleShare ? value * 2 : value).toFixed(1) + '%'
              }
            }
          }
        }
      }
    })
  }

  function breakdownChart () {
    var canvas = document.getElementById('breakdown-chart')
    if (!canvas) return
    var rows = figures.scales.filter(function (row) {
      return row.scale === 'all' && row.group !== mainGroup && number(row.mean_change) !== null
    })
    new Chart(canvas, {
      type: 'bar',
      data: {
        labels: rows.map(function (row) { return row.group }),
        datasets: [{
          label: 'Mean change, all items',
          data: rows.map(function (row) { return row.mean_change }),
          backgroundColor: '#1d70b8'
        }]
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { beginAtZero: true, grace: '10%', title: { display: true, text: 'Mean change (after − before)' } }
        },
        plugins: { legend: { display: false } }
      }
    })
  }

  distributionChart()
  breakdownChart()
})()
