import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js'

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip)

/**
 * An empty horizontal stacked bar chart (chart.js) in the app's palette: counts along x from 0 in whole numbers,
 * one bar per category along y with every label shown, a tooltip over the whole bar. `legend: 'bottom'` adds a
 * legend below; the caller fills `data` and calls `update('none')`, and destroys the chart when done.
 */
export function stackedBarChart(canvas: HTMLCanvasElement, opts: { legend: 'bottom' | 'none' }): Chart<'bar'> {
  const style = getComputedStyle(canvas)
  const muted = style.getPropertyValue('--muted').trim() || '#8a94a3'
  const grid = style.getPropertyValue('--border').trim() || '#262c35'
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      indexAxis: 'y',
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { stacked: true, beginAtZero: true, ticks: { color: muted, precision: 0 }, grid: { color: grid } },
        y: { stacked: true, ticks: { color: muted, autoSkip: false }, grid: { display: false } }
      },
      plugins: {
        legend:
          opts.legend === 'bottom'
            ? { position: 'bottom', labels: { color: muted, boxWidth: 10, boxHeight: 10 } }
            : { display: false },
        tooltip: { mode: 'index', intersect: false }
      }
    }
  })
}
