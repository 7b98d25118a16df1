// usp.broker / --usp-broker: the URL scheme picks Device.MQTT.Client.1.TransportProtocol
// (TR-181 2.19: TCP/IP, TLS, WebSocket, WebSocketTLS) and the default port; the
// WebSocket path defaults to /mqtt; the seed's bare host:port stays plain TCP.
import { describe, expect, it } from 'vitest';
import { parseUspBroker } from '../../src/fleet/index.js';

describe('parseUspBroker', () => {
  it('maps schemes to transports and default ports', () => {
    expect(parseUspBroker('127.0.0.1:1884', 'b')).toEqual({ host: '127.0.0.1', port: 1884, transport: 'TCP/IP' });
    expect(parseUspBroker('broker.example', 'b')).toEqual({ host: 'broker.example', port: 1883, transport: 'TCP/IP' });
    expect(parseUspBroker('mqtt://127.0.0.1', 'b')).toEqual({ host: '127.0.0.1', port: 1883, transport: 'TCP/IP' });
    expect(parseUspBroker('tcp://127.0.0.1:2', 'b')).toEqual({ host: '127.0.0.1', port: 2, transport: 'TCP/IP' });
    expect(parseUspBroker('mqtts://127.0.0.1', 'b')).toEqual({ host: '127.0.0.1', port: 8883, transport: 'TLS' });
    expect(parseUspBroker('ssl://[::1]:8884', 'b')).toEqual({ host: '::1', port: 8884, transport: 'TLS' });
    expect(parseUspBroker('ws://127.0.0.1', 'b')).toEqual({ host: '127.0.0.1', port: 80, transport: 'WebSocket', path: '/mqtt' });
    expect(parseUspBroker('wss://broker.example/ws?x=1', 'b')).toEqual({ host: 'broker.example', port: 443, transport: 'WebSocketTLS', path: '/ws?x=1' });
  });

  it('names the input and the accepted forms', () => {
    expect(() => parseUspBroker('coap://127.0.0.1', 'usp.broker')).toThrow(/^usp.broker: unknown scheme "coap"; expected host:port, mqtt:\/\/host:port, mqtts:\/\/host:port \(TLS\), ws:\/\/host:port\/path or wss:\/\/host:port\/path/);
    expect(() => parseUspBroker('127.0.0.1:0', 'usp.broker')).toThrow(/^usp.broker: expected host:port.*got "127.0.0.1:0"/);
    expect(() => parseUspBroker('mqtt://127.0.0.1/topic', 'usp.broker')).toThrow(/an mqtt:\/\/ broker takes no path/);
    expect(() => parseUspBroker('', 'usp.broker')).toThrow(/^usp.broker: expected host:port/);
  });
});
