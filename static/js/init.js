import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()

// Print buttons (the certificate): a handler here, as the Content-Security-Policy
// allows no inline event handlers.
for (const button of document.querySelectorAll('[data-app-print]')) {
  button.addEventListener('click', () => window.print())
}
