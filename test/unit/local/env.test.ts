/** local/env.ts: what a local stack (or a tool run as a user would) must not inherit from the shell. */
import { ENV } from '../../../lambda/contract';
import { isLocalSetting, withoutLocalSettings } from '../../../local/env';

describe('withoutLocalSettings', () => {
  it('drops AWS, VOX_*, moto, local stack and Powertools settings, PORT/HOST and every variable the receiver reads; keeps the rest', () => {
    const shell = {
      PATH: '/usr/bin',
      HOME: '/home/dev',
      NO_COLOR: '1',
      AWS_PROFILE: 'prod',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      VOX_SALT: 'salt',
      MOTO_PYTHON: '/opt/python',
      LOCAL_STACK_STATE: '/tmp/state.json',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      PORT: '3000',
      HOST: '0.0.0.0',
      ...Object.fromEntries(Object.values(ENV).map((name) => [name, 'x'])),
    };
    expect(withoutLocalSettings(shell)).toEqual({ PATH: '/usr/bin', HOME: '/home/dev', NO_COLOR: '1' });
    expect(shell.AWS_PROFILE).toBe('prod'); // a copy: the given environment is left alone
  });

  it('names the receiver settings by lambda/contract.ts, VOXIMPLANT_API_URL and ALERT_TYPES included', () => {
    expect(isLocalSetting(ENV.voximplantApiUrl)).toBe(true);
    expect(isLocalSetting('ALERT_TYPES')).toBe(true);
    expect(isLocalSetting('AWS_REGION')).toBe(true);
    expect(isLocalSetting('PATHEXT')).toBe(false);
    expect(isLocalSetting('MY_AWS_THING')).toBe(false);
  });
});
