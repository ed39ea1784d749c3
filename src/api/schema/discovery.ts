/**
 * @module discovery.k8s.io/v1 EndpointSlice.
 * Field names, types, required fields and patch strategies follow upstream v1.32;
 * descriptions are the first sentence of upstream's.
 */

import type { Definition } from './types.ts';
import { str, int32, bool, ref, map, arr, core, discovery, typeMeta, objectMeta, listMeta, gvk, def } from './dsl.ts';

export const discoveryDefinitions: Definition[] = [
  def(discovery('EndpointSliceList'), 'EndpointSliceList represents a list of endpoint slices.', {
    ...typeMeta,
    metadata: listMeta,
    items: arr(ref(discovery('EndpointSlice')), 'items is the list of endpoint slices.', {}),
  }, { required: ['items'], gvk: gvk('discovery.k8s.io', 'v1', 'EndpointSliceList') }),
  def(discovery('EndpointSlice'), 'EndpointSlice represents a set of service endpoints.', {
    ...typeMeta,
    metadata: objectMeta,
    addressType: str('addressType specifies the type of address carried by this EndpointSlice.'),
    endpoints: arr(ref(discovery('Endpoint')), 'endpoints is a list of unique endpoints in this slice.'),
    ports: arr(ref(discovery('EndpointPort')), 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
  }, { required: ['addressType'], gvk: gvk('discovery.k8s.io', 'v1', 'EndpointSlice') }),
  def(discovery('EndpointPort'), 'EndpointPort represents a Port used by an EndpointSlice.', {
    name: str('name represents the name of this port.'),
    protocol: str('protocol represents the IP protocol for this port.'),
    port: int32('port represents the port number of the endpoint.'),
    appProtocol: str('The application protocol for this port.'),
  }),
  def(discovery('Endpoint'), 'Endpoint represents a single logical "backend" implementing a service.', {
    addresses: arr(str(), 'addresses of this endpoint.', { listType: 'set' }),
    conditions: ref(discovery('EndpointConditions'), 'EndpointConditions represents the current condition of an endpoint.'),
    hostname: str('hostname of this endpoint.'),
    targetRef: ref(core('ObjectReference'), 'ObjectReference contains enough information to let you inspect or modify the referred object.'),
    deprecatedTopology: map(str(), 'deprecatedTopology contains topology information part of the v1beta1 API.'),
    nodeName: str('nodeName represents the name of the Node hosting this endpoint.'),
    zone: str('zone is the name of the Zone this endpoint exists in.'),
    hints: ref(discovery('EndpointHints'), 'EndpointHints provides hints describing how an endpoint should be consumed.'),
  }, { required: ['addresses'] }),
  def(discovery('EndpointHints'), 'EndpointHints provides hints describing how an endpoint should be consumed.', {
    forZones: arr(ref(discovery('ForZone')), 'forZones indicates the zone(s) this endpoint should be consumed by when using topology aware routing.'),
  }),
  def(discovery('ForZone'), 'ForZone provides information about which zones should consume this endpoint.', {
    name: str('name represents the name of the zone.'),
  }, { required: ['name'] }),
  def(discovery('EndpointConditions'), 'EndpointConditions represents the current condition of an endpoint.', {
    ready: bool('ready indicates that this endpoint is ready to receive traffic, according to whatever system is managing the endpoint.'),
    serving: bool('serving indicates that this endpoint is able to receive traffic, according to whatever system is managing the endpoint.'),
    terminating: bool('terminating indicates that this endpoint is terminating.'),
  }),
];
