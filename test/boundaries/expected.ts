// The boundary outcomes of every leveled rule in the shipped packs, typed in from each rule's `source` (the
// standard clause or site decision) and checked against what generate.ts derives from the pack files: one line per
// probed comparison, `<quantity> <threshold> [(attribute)] [time of day] [for] <pattern>`, the pattern one character
// per scenario (`+` fires, `-` does not): below / at / above, so `-++` means "from the threshold on" (≥) and `--+`
// "above it" (>); for a stuck sensor N − 1, N, N + 1 samples and N samples short of the span.
// A new leveled rule fails pack-boundaries.test.ts until its lines are added here.
export const EXPECTED_BOUNDARIES: Record<string, Record<string, string[]>> = {
  'air.aqi': {
    blue: ['aqi 100 --+'],
    yellow: ['aqi 150 --+'],
    orange: ['aqi 200 --+'],
    red: ['aqi 300 --+'],
  },
  'air.pm25': {
    blue: ['hourly(pm25) 115 --+'],
    yellow: ['hourly(pm25) 150 --+'],
    orange: ['hourly(pm25) 250 --+'],
    red: ['hourly(pm25) 350 --+'],
  },
  'air.pm10': {
    blue: ['hourly(pm10) 250 --+'],
    yellow: ['hourly(pm10) 350 --+'],
    orange: ['hourly(pm10) 420 --+'],
    red: ['hourly(pm10) 500 --+'],
  },
  'camera.water-gauge': {
    yellow: ['value 5 (warningLevel=5) -++'],
    orange: ['value 5 (guaranteedLevel=5) -++'],
    red: ['value 5 (historicalMaxLevel=5) -++'],
  },
  'fault.stuck-gas': {
    blue: ['stuck pressure ×360 over 21600 s -++-'],
  },
  'fault.stuck-flood': {
    blue: ['stuck level ×288 over 86400 s -++-'],
  },
  'fault.stuck-air': {
    blue: ['stuck pm25 ×72 over 21600 s -++-'],
  },
  'fault.stuck-noise': {
    blue: ['stuck laeq ×60 over 3600 s -++-'],
  },
  'fault.pm-impossible': {
    blue: ['pm25 27 (pm10 = 20) --+'],
  },
  // per-village critical rainfall: each window reached (达到或超过, ≥) at the village's own value; 准备转移 orange, 立即转移 red
  'flash-flood.critical-rain': {
    orange: ['sum(rain, 1h) 5 (prepareRain1h=5) -++', 'sum(rain, 3h) 5 (prepareRain3h=5) -++', 'sum(rain, 6h) 5 (prepareRain6h=5) -++', 'sum(rain, 24h) 5 (prepareRain24h=5) -++'],
    red: ['sum(rain, 1h) 5 (evacuateRain1h=5) -++', 'sum(rain, 3h) 5 (evacuateRain3h=5) -++', 'sum(rain, 6h) 5 (evacuateRain6h=5) -++', 'sum(rain, 24h) 5 (evacuateRain24h=5) -++'],
  },
  // the labelled EXAMPLE table (江华县) for devices without per-village values
  'flash-flood.example-rain': {
    blue: [
      'sum(rain, 1h) 35 -++',
      'sum(rain, 3h) 55 -++',
      'sum(rain, 6h) 70 -++',
      'sum(rain, 24h) 100 -++',
    ],
    yellow: [
      'sum(rain, 1h) 45 -++',
      'sum(rain, 3h) 75 -++',
      'sum(rain, 6h) 95 -++',
      'sum(rain, 24h) 130 -++',
    ],
    orange: [
      'sum(rain, 1h) 60 -++',
      'sum(rain, 3h) 100 -++',
      'sum(rain, 6h) 120 -++',
      'sum(rain, 24h) 160 -++',
    ],
    red: [
      'sum(rain, 1h) 80 -++',
      'sum(rain, 3h) 120 -++',
      'sum(rain, 6h) 150 -++',
      'sum(rain, 24h) 200 -++',
    ],
  },
  'flood.level': {
    blue: ['level 4.7 (warningLevel=5) -++'],
    yellow: ['level 5 (warningLevel=5) -++'],
    orange: ['level 5 (guaranteedLevel=5) -++'],
    red: ['level 5 (historicalMaxLevel=5) -++'],
  },
  'flood.reservoir-limit': {
    blue: ['level 4.7 (floodLimitLevel=5) -++'],
    yellow: ['level 5 (floodLimitLevel=5) -++'],
    orange: ['level 6 (floodLimitLevel=5) -++'],
  },
  'flood.rise-rate': {
    blue: [
      'rate(level, 1h) 5 (riseRateBlue=5) -++',
      'rate(level, 1h) 0.3 (no riseRateBlue: default) -++',
    ],
    yellow: ['rate(level, 1h) 0.5 -++'],
    orange: ['rate(level, 1h) 1 -++'],
  },
  'flood.rain-and-level': {
    yellow: [
      'level 4.7 (warningLevel=5) -++',
      'sum(rain, 1h) 30 -++',
    ],
    orange: [
      'level 5 (warningLevel=5) -++',
      'sum(rain, 1h) 30 -++',
    ],
  },
  'gas.methane': {
    blue: ['methane 10 -++'],
    yellow: ['methane 20 -++'],
    orange: ['methane 25 -++'],
    red: ['methane 50 -++'],
  },
  'gas.pressure-deviation': {
    blue: [
      'pressure 0.44 (nominalPressure=0.4) for 120 s -++',
      'pressure 0.36 (nominalPressure=0.4) for 120 s ++-',
    ],
    yellow: [
      'pressure 0.48 (nominalPressure=0.4) for 60 s -++',
      'pressure 0.32 (nominalPressure=0.4) for 60 s ++-',
    ],
  },
  'gas.pressure-drop-methane': {
    red: [
      'rate(pressure, 5m) -0.04 (nominalPressure=0.4) ++-',
      'methane 10 -++',
    ],
  },
  'geo.displacement-rate': {
    blue: ['rate(displacement, 24h) 2 -++'],
    yellow: [
      'rate(displacement, 24h) 5 -++',
      'rate(displacement, 24h) 2 -++',
      'sum(rain, 24h) 50 -++',
    ],
    orange: [
      'rate(displacement, 24h) 10 -++',
      'rate(displacement, 24h) 5 -++',
      'sum(rain, 24h) 50 -++',
    ],
    red: [
      'rate(displacement, 24h) 20 -++',
      'rate(displacement, 24h) 10 -++',
      'sum(rain, 24h) 50 -++',
    ],
  },
  'geo.tilt-rate': {
    blue: [
      'rate(tilt, 24h) 0.5 -++',
      'rate(tilt, 24h) -0.5 ++-',
    ],
    yellow: [
      'rate(tilt, 24h) 1 -++',
      'rate(tilt, 24h) -1 ++-',
    ],
    orange: [
      'rate(tilt, 24h) 2 -++',
      'rate(tilt, 24h) -2 ++-',
    ],
    red: [
      'rate(tilt, 24h) 5 -++',
      'rate(tilt, 24h) -5 ++-',
    ],
  },
  'geo.crack-rate': {
    blue: ['rate(crack, 24h) 1 -++'],
    yellow: ['rate(crack, 24h) 2 -++'],
    orange: ['rate(crack, 24h) 5 -++'],
    red: ['rate(crack, 24h) 10 -++'],
  },
  'noise.laeq': {
    blue: [
      'leq(laeq, 10m) 50 (noiseZone=0) 06:00–22:00 --+',
      'leq(laeq, 10m) 55 (noiseZone=1) 06:00–22:00 --+',
      'leq(laeq, 10m) 60 (noiseZone=2) 06:00–22:00 --+',
      'leq(laeq, 10m) 65 (noiseZone=3) 06:00–22:00 --+',
      'leq(laeq, 10m) 70 (noiseZone=4a) 06:00–22:00 --+',
      'leq(laeq, 10m) 70 (noiseZone=4b) 06:00–22:00 --+',
      'leq(laeq, 10m) 60 (no noiseZone: default) 06:00–22:00 --+',
      'leq(laeq, 10m) 40 (noiseZone=0) 22:00–06:00 --+',
      'leq(laeq, 10m) 45 (noiseZone=1) 22:00–06:00 --+',
      'leq(laeq, 10m) 50 (noiseZone=2) 22:00–06:00 --+',
      'leq(laeq, 10m) 55 (noiseZone=3) 22:00–06:00 --+',
      'leq(laeq, 10m) 55 (noiseZone=4a) 22:00–06:00 --+',
      'leq(laeq, 10m) 60 (noiseZone=4b) 22:00–06:00 --+',
      'leq(laeq, 10m) 50 (no noiseZone: default) 22:00–06:00 --+',
    ],
    yellow: [
      'leq(laeq, 10m) 55 (noiseZone=0) 06:00–22:00 --+',
      'leq(laeq, 10m) 60 (noiseZone=1) 06:00–22:00 --+',
      'leq(laeq, 10m) 65 (noiseZone=2) 06:00–22:00 --+',
      'leq(laeq, 10m) 70 (noiseZone=3) 06:00–22:00 --+',
      'leq(laeq, 10m) 75 (noiseZone=4a) 06:00–22:00 --+',
      'leq(laeq, 10m) 75 (noiseZone=4b) 06:00–22:00 --+',
      'leq(laeq, 10m) 65 (no noiseZone: default) 06:00–22:00 --+',
      'leq(laeq, 10m) 45 (noiseZone=0) 22:00–06:00 --+',
      'leq(laeq, 10m) 50 (noiseZone=1) 22:00–06:00 --+',
      'leq(laeq, 10m) 55 (noiseZone=2) 22:00–06:00 --+',
      'leq(laeq, 10m) 60 (noiseZone=3) 22:00–06:00 --+',
      'leq(laeq, 10m) 60 (noiseZone=4a) 22:00–06:00 --+',
      'leq(laeq, 10m) 65 (noiseZone=4b) 22:00–06:00 --+',
      'leq(laeq, 10m) 55 (no noiseZone: default) 22:00–06:00 --+',
    ],
    orange: [
      'leq(laeq, 10m) 60 (noiseZone=0) 06:00–22:00 --+',
      'leq(laeq, 10m) 65 (noiseZone=1) 06:00–22:00 --+',
      'leq(laeq, 10m) 70 (noiseZone=2) 06:00–22:00 --+',
      'leq(laeq, 10m) 75 (noiseZone=3) 06:00–22:00 --+',
      'leq(laeq, 10m) 80 (noiseZone=4a) 06:00–22:00 --+',
      'leq(laeq, 10m) 80 (noiseZone=4b) 06:00–22:00 --+',
      'leq(laeq, 10m) 70 (no noiseZone: default) 06:00–22:00 --+',
      'leq(laeq, 10m) 50 (noiseZone=0) 22:00–06:00 --+',
      'leq(laeq, 10m) 55 (noiseZone=1) 22:00–06:00 --+',
      'leq(laeq, 10m) 60 (noiseZone=2) 22:00–06:00 --+',
      'leq(laeq, 10m) 65 (noiseZone=3) 22:00–06:00 --+',
      'leq(laeq, 10m) 65 (noiseZone=4a) 22:00–06:00 --+',
      'leq(laeq, 10m) 70 (noiseZone=4b) 22:00–06:00 --+',
      'leq(laeq, 10m) 60 (no noiseZone: default) 22:00–06:00 --+',
    ],
    red: [
      'leq(laeq, 10m) 65 (noiseZone=0) 06:00–22:00 --+',
      'leq(laeq, 10m) 70 (noiseZone=1) 06:00–22:00 --+',
      'leq(laeq, 10m) 75 (noiseZone=2) 06:00–22:00 --+',
      'leq(laeq, 10m) 80 (noiseZone=3) 06:00–22:00 --+',
      'leq(laeq, 10m) 85 (noiseZone=4a) 06:00–22:00 --+',
      'leq(laeq, 10m) 85 (noiseZone=4b) 06:00–22:00 --+',
      'leq(laeq, 10m) 75 (no noiseZone: default) 06:00–22:00 --+',
      'leq(laeq, 10m) 55 (noiseZone=0) 22:00–06:00 --+',
      'leq(laeq, 10m) 60 (noiseZone=1) 22:00–06:00 --+',
      'leq(laeq, 10m) 65 (noiseZone=2) 22:00–06:00 --+',
      'leq(laeq, 10m) 70 (noiseZone=3) 22:00–06:00 --+',
      'leq(laeq, 10m) 70 (noiseZone=4a) 22:00–06:00 --+',
      'leq(laeq, 10m) 75 (noiseZone=4b) 22:00–06:00 --+',
      'leq(laeq, 10m) 65 (no noiseZone: default) 22:00–06:00 --+',
    ],
  },
  'noise.night-lmax': {
    blue: [
      'lmax 55 (noiseZone=0) 22:00–06:00 --+',
      'lmax 60 (noiseZone=1) 22:00–06:00 --+',
      'lmax 65 (noiseZone=2) 22:00–06:00 --+',
      'lmax 70 (noiseZone=3) 22:00–06:00 --+',
      'lmax 70 (noiseZone=4a) 22:00–06:00 --+',
      'lmax 75 (noiseZone=4b) 22:00–06:00 --+',
      'lmax 65 (no noiseZone: default) 22:00–06:00 --+',
    ],
  },
  'rainstorm.signal': {
    blue: ['sum(rain, 12h) 50 -++'],
    yellow: ['sum(rain, 6h) 50 -++'],
    orange: ['sum(rain, 3h) 50 -++'],
    red: ['sum(rain, 3h) 100 -++'],
  },
  'water.class-below-target': {
    yellow: ['waterClassGap 1 for 1200 s -++'],
    orange: ['waterClassGap 2 for 1200 s -++'],
    red: ['waterClass 6 for 1200 s -+'],
  },
};
