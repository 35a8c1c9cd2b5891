export { closeOnSignals } from './graceful-shutdown';
export { isDependencyOutage } from './dependency-outage';
export { crashPoint } from './crash-point';
