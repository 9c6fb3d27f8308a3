// A background planner run's progress page: asks the server for the page again every few
// seconds and updates the status region in place (announced politely to screen readers).
// No timed refresh of the whole page (WCAG 2.2.1); without JavaScript, "Check now" does it.
const region = document.getElementById('run-status')

async function poll () {
  try {
    const response = await fetch(window.location.href, { credentials: 'same-origin' })
    if (response.redirected) { // finished: the server sends the scenario's page
      window.location.assign(response.url)
      return
    }
    if (response.ok) {
      const fresh = new DOMParser().parseFromString(await response.text(), 'text/html')
        .getElementById('run-status')
      if (fresh) {
        region.innerHTML = fresh.innerHTML
        if (fresh.dataset.active !== 'true') { // ended without results: show why
          window.location.reload()
          return
        }
      }
    }
  } catch (error) {
    // the network dropped for a moment: try again at the next tick
  }
  window.setTimeout(poll, 3000)
}

if (region && region.dataset.active === 'true') {
  window.setTimeout(poll, 3000)
}
