// Alarm texts in zh-CN mode carry no English: the quantity is described from the rule's structure (metric,
// aggregate, window) with the metric table's Chinese names; operators are shown as ≥/≤.
import { describe, expect, it } from 'vitest';
import { eventMessage, eventText, quantityEn, quantityZh, thresholdMessage, thresholdText, zoneClearText, zoneText } from './alarm-text.js';

describe('alarm texts', () => {
  it('describe the evaluated quantity from the rule structure', () => {
    expect(quantityZh('flood', 'rain.sum(3h)')).toBe('3小时累计雨量');
    expect(quantityZh('air', 'pm25.mean(1h)')).toBe('1小时平均PM2.5');
    expect(quantityZh('gas', 'methane')).toBe('甲烷');
    expect(quantityZh('noise', 'laeq.avg(10m)')).toMatch(/^10分钟平均/);
  });

  it('a rain-sum threshold and a camera event read fully in Chinese', () => {
    const rain = thresholdMessage('暴雨红色预警', 'flood', 'rain.sum(3h)', 193.34, '>=', 100);
    expect(rain).toBe('暴雨红色预警：3小时累计雨量 193.34 mm ≥ 100 mm');
    const smoke = eventMessage('疑似山火', 'smoke', 0.96, undefined, 1);
    expect(smoke).toBe('疑似山火：烟雾 置信度 0.96');
    for (const text of [rain, smoke]) expect(text).not.toMatch(/[A-Za-z]{3,}/);
  });
});

describe('alarm words in both languages, from the rule\'s structure', () => {
  it('a rain-sum threshold: no English in the Chinese text, the English names the quantity', () => {
    const t = thresholdText({ zh: '暴雨', en: 'Rainstorm' }, 'flood', 'rain.sum(3h)', 193.3, '>=', 100);
    expect(t.zh).toBe('暴雨：3小时累计雨量 193.3 mm ≥ 100 mm');
    expect(t.en).toBe('Rainstorm: Rain, 3 h sum 193.3 mm ≥ 100 mm');
    expect(t.zh).not.toMatch(/[A-Za-z]{3,}/);
    expect(quantityEn('flood', 'level.rate')).toMatch(/rate of change$/);
  });

  it('a camera event: 烟雾 置信度 in Chinese, smoke confidence in English', () => {
    const t = eventText({ zh: '烟火识别', en: 'Smoke/fire detection' }, 'smoke', 0.96, undefined, 1);
    expect(t).toEqual({ zh: '烟火识别：烟雾 置信度 0.96', en: 'Smoke/fire detection: smoke confidence 0.96' });
  });

  it('a zone cluster: a township or a radius, the device ids, and the clear reason, with no English in Chinese', () => {
    const t = zoneText({ zh: '区域积水', en: 'Area flooding' }, ['W-1', 'W-2', 'W-3'], { township: '331003001' });
    expect(t).toEqual({ zh: '区域积水：乡镇 331003001 内 3 台设备（W-1, W-2, W-3）', en: 'Area flooding: 3 devices in township 331003001 (W-1, W-2, W-3)' });
    expect(zoneText({ zh: '燃气聚集', en: 'Gas cluster' }, ['G-1', 'G-2'], { radiusM: 500 }).zh).toBe('燃气聚集：500 米范围内 2 台设备（G-1, G-2）');
    expect(zoneText({ zh: '燃气聚集', en: 'Gas cluster' }, ['G-1', 'G-2'], null).en).toBe('Gas cluster: 2 devices (G-1, G-2)');
    const clear = zoneClearText('区域积水', 3);
    expect(clear).toBe('区域积水：不足 3 台设备，已恢复');
    for (const zh of [t.zh, clear]) expect(zh.replace(/[A-Z]-\d/g, '')).not.toMatch(/[A-Za-z]{3,}/);
  });
});
