import { initAll } from '../vendor/govuk-frontend/govuk-frontend.min.js'
initAll()
