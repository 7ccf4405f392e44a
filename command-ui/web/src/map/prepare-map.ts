// The preparedness part of the map (docs/ui.md "Map layers", "Zone query"): the layers of resources, hazard
// points, risk targets and vulnerable sites, the layer switcher and the zone tool, wired to one map.
import type { Map as MlMap } from 'maplibre-gl';
import './prepare-map.css';
import { createLayerSwitcher } from './layer-switcher.js';
import { PrepareLayers } from './prepare-layers.js';
import { createZoneTool } from './zone-tool.js';

export function createPrepareMap(map: MlMap) {
  const layers = new PrepareLayers(map);
  const switcher = createLayerSwitcher(map, layers);
  const zones = createZoneTool(map, layers);
  return {
    layers,
    zones,
    relabel() {
      layers.relabel();
      switcher.relabel();
      zones.relabel();
    },
  };
}
