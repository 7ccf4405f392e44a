// Public door of the broker stage.
export { createBroker, type Broker, type BrokerDeps, type BrokerConfig, type PublishSink } from './broker.js';
export {
  openDeviceRegistry, newDeviceToken, REGISTRY_POLL_MS, REGISTRY_TRUST_MS,
  type DeviceRegistryDeps, type DeviceRegistryOptions,
  type DeviceRegistry, type DeviceInput, type DevicePatch, type DeviceQuery, type DeviceChange, type RegisteredDevice,
} from './device-registry.js';
export { checkPublish, canSubscribe } from './acl.js';
export { guardSocket, MqttHeaderInspector, type EdgeGuardConfig, type GuardVerdict } from './edge-guard.js';
export type { SecurityEvent, SecurityAction } from './security-events.js';
export { checkCrl, crlNextUpdate, type CrlCheck } from './crl.js';
export type { DeviceRepository, DeviceRecord, DeviceRecordPatch } from './device-repository.js';
export type { DeviceLoginRepository, DeviceLoginRow } from './login-history.js';
