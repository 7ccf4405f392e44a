// Notification channel file (LOOKOUT_NOTIFY_CHANNELS_FILE): `{ "version": 1, "channels": [...] }`.
// Secrets are never given in clear: `{ "file": path }` or `{ "encrypted": "enc:v1:…" }` (docs/notify.md).

export const NOTIFY_CHANNEL_KINDS = ['webhook', 'email', 'ding-robot', 'zzd-work', 'sms-cloudmas', 'sms-aliyun'] as const;
export const NOTIFY_CHANNEL_CLASSES = ['routine', 'important', 'call', 'drill'] as const;

export type SecretRefConfig = { file: string } | { encrypted: string };

interface ChannelBaseConfig {
  id: string;
  /** what the channel carries; default routine + important (never drill unless listed) */
  classes?: (typeof NOTIFY_CHANNEL_CLASSES)[number][];
  /** our own pace, sends per minute (robots default to the provider's 20) */
  perMinute?: number;
  timeoutMs?: number;
  /** most sends waiting on this channel; a send beyond it is refused and logged as queue-full */
  queueMax?: number;
}
export interface WebhookChannelConfig extends ChannelBaseConfig {
  kind: 'webhook';
  url: string;
  secret: SecretRefConfig;
}
export interface EmailChannelConfig extends ChannelBaseConfig {
  kind: 'email';
  host: string;
  port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when the server offers it */
  secure?: boolean;
  requireTLS?: boolean;
  user?: string;
  password?: SecretRefConfig;
  from: string;
}
export interface DingRobotChannelConfig extends ChannelBaseConfig {
  kind: 'ding-robot';
  /** https://oapi.dingtalk.com (DingTalk) or the 浙政钉 open-platform host */
  baseUrl?: string;
  accessToken: SecretRefConfig;
  /** the robot's 加签 secret (SEC…) */
  secret: SecretRefConfig;
  /** a custom keyword of the robot, put in every message */
  keyword?: string;
}
export interface ZzdWorkChannelConfig extends ChannelBaseConfig {
  kind: 'zzd-work';
  baseUrl?: string;
  appKey: string;
  appSecret: SecretRefConfig;
  tenantId: string;
  /** X-Hmac-Auth-IP / -MAC headers (the hub's 政务外网 address) */
  ip?: string;
  mac?: string;
}
export interface CloudMasChannelConfig extends ChannelBaseConfig {
  kind: 'sms-cloudmas';
  /** full address of /sms/norsubmit from the provider */
  url: string;
  ecName: string;
  apId: string;
  secretKey: SecretRefConfig;
  /** the signature code (not its text) */
  sign: string;
  addSerial?: string;
}
export const ALIYUN_TEMPLATE_FIELDS = ['level', 'title', 'body', 'link', 'reminder'] as const;
export interface AliyunSmsChannelConfig extends ChannelBaseConfig {
  kind: 'sms-aliyun';
  endpoint?: string;
  accessKeyId: string;
  accessKeySecret: SecretRefConfig;
  signName: string;
  templateCode: string;
  /** template variable → message field; default { level, title, link } */
  templateParams?: Record<string, (typeof ALIYUN_TEMPLATE_FIELDS)[number]>;
}

export type ChannelConfig = WebhookChannelConfig | EmailChannelConfig | DingRobotChannelConfig | ZzdWorkChannelConfig | CloudMasChannelConfig | AliyunSmsChannelConfig;

export interface ChannelFile {
  version: 1;
  channels: ChannelConfig[];
}

const secretRef = {
  oneOf: [
    { type: 'object', required: ['file'], additionalProperties: false, properties: { file: { type: 'string', minLength: 1 } } },
    { type: 'object', required: ['encrypted'], additionalProperties: false, properties: { encrypted: { type: 'string', pattern: '^enc:v1:' } } },
  ],
};
const url = { type: 'string', pattern: '^https?://[^\\s]+$' };
const base = {
  id: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' },
  classes: { type: 'array', uniqueItems: true, items: { enum: [...NOTIFY_CHANNEL_CLASSES] } },
  perMinute: { type: 'integer', minimum: 1, maximum: 100000 },
  timeoutMs: { type: 'integer', minimum: 100, maximum: 120000 },
  queueMax: { type: 'integer', minimum: 1, maximum: 100000 },
};
const kindSchema = (kind: string, required: string[], props: Record<string, unknown>) => ({
  type: 'object',
  required: ['id', 'kind', ...required],
  additionalProperties: false,
  properties: { ...base, kind: { const: kind }, ...props },
});

export const channelFileSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://lookout.example/schemas/notify-channels.json',
  title: 'Lookout notification channels',
  type: 'object',
  required: ['version', 'channels'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    version: { const: 1 },
    channels: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind'],
        properties: { kind: { enum: [...NOTIFY_CHANNEL_KINDS] } },
        // one branch per kind, chosen by `kind`, so an error names the field of that kind
        allOf: [
          { if: { properties: { kind: { const: 'webhook' } } }, then: kindSchema('webhook', ['url', 'secret'], { url, secret: secretRef }) },
          {
            if: { properties: { kind: { const: 'email' } } },
            then: kindSchema('email', ['host', 'port', 'from'], {
              host: { type: 'string', minLength: 1 },
              port: { type: 'integer', minimum: 1, maximum: 65535 },
              secure: { type: 'boolean' },
              requireTLS: { type: 'boolean' },
              user: { type: 'string' },
              password: secretRef,
              from: { type: 'string', minLength: 3 },
            }),
          },
          { if: { properties: { kind: { const: 'ding-robot' } } }, then: kindSchema('ding-robot', ['accessToken', 'secret'], { baseUrl: url, accessToken: secretRef, secret: secretRef, keyword: { type: 'string', minLength: 1, maxLength: 20 } }) },
          {
            if: { properties: { kind: { const: 'zzd-work' } } },
            then: kindSchema('zzd-work', ['appKey', 'appSecret', 'tenantId'], { baseUrl: url, appKey: { type: 'string', minLength: 1 }, appSecret: secretRef, tenantId: { type: 'string', minLength: 1 }, ip: { type: 'string' }, mac: { type: 'string' } }),
          },
          {
            if: { properties: { kind: { const: 'sms-cloudmas' } } },
            then: kindSchema('sms-cloudmas', ['url', 'ecName', 'apId', 'secretKey', 'sign'], { url, ecName: { type: 'string', minLength: 1 }, apId: { type: 'string', minLength: 1 }, secretKey: secretRef, sign: { type: 'string', minLength: 1 }, addSerial: { type: 'string' } }),
          },
          {
            if: { properties: { kind: { const: 'sms-aliyun' } } },
            then: kindSchema('sms-aliyun', ['accessKeyId', 'accessKeySecret', 'signName', 'templateCode'], {
              endpoint: url,
              accessKeyId: { type: 'string', minLength: 1 },
              accessKeySecret: secretRef,
              signName: { type: 'string', minLength: 1 },
              templateCode: { type: 'string', pattern: '^SMS_[0-9A-Za-z_]+$' },
              templateParams: { type: 'object', additionalProperties: { enum: [...ALIYUN_TEMPLATE_FIELDS] } },
            }),
          },
        ],
      },
    },
  },
} as const;
