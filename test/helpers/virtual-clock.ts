// Test helper: the virtual clock lives in alerting/ (the rule fixture runner and backtest use it too).
export { createVirtualClock, type VirtualClock } from '../../alerting/virtual-clock.js';
