// One launcher for the e2e tests and the Chromium benches (src/main/bench/chromium.ts).
export { CHROMIUM_PATH, launchChromium } from '../../src/main/bench/chromium'
