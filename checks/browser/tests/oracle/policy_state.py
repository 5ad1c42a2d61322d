# The policy state Chromium itself reports (chrome://policy), read through the
# DevTools protocol over --remote-debugging-pipe (browser_chromium_oracle_test:
# ChromiumPolicyPageAgreesWithTheModel; tests/README.md says how).
# Usage: policy_state.py PROFILE_DIR  (run where /etc/chromium is the fixture)
# Prints one JSON object: {"policies": chrome://policy's "chrome" group (name ->
# value, level, scope, source, error, warning, conflicts), "logs": the messages
# of chrome://policy/logs}. Nothing but the pipe: no network, no port.
#
# --remote-debugging-pipe: Chromium reads DevTools commands from fd 3 and
# writes replies and events to fd 4, each a JSON message ended by a NUL byte.
import json, os, select, subprocess, sys, time

DEADLINE = time.monotonic() + 25

# Runs in chrome://policy: the page's own WebUI bridge. chrome.send() posts a
# message to policy_ui_handler.cc; it answers through the globals
# cr.webUIListenerCallback (events "policies-updated": names, values) and
# cr.webUIResponse (replies of cr.sendWithPromise-style calls).
PAGE_SCRIPT = r'''
new Promise((resolve) => {
  const state = {};
  const listener = window.cr.webUIListenerCallback;
  window.cr.webUIListenerCallback = function(name, ...args) {
    if (name === 'policies-updated') state.values = args[1];
    return listener.apply(this, [name, ...args]);
  };
  const response = window.cr.webUIResponse;
  window.cr.webUIResponse = function(id, ok, value) {
    if (id === 'policy-state-logs') state.logs = value;
    return response.apply(this, [id, ok, value]);
  };
  chrome.send('listenPoliciesUpdates');
  chrome.send('getPolicyLogs', ['policy-state-logs']);
  const poll = setInterval(() => {
    if (state.values && state.logs) { clearInterval(poll); resolve(JSON.stringify(state)); }
  }, 50);
  setTimeout(() => resolve(JSON.stringify(state)), 8000);
})
'''


def main():
    profile = sys.argv[1]
    to_chromium, chromium_in = os.pipe()
    chromium_out, from_chromium = os.pipe()

    def wire_fds():
        os.dup2(to_chromium, 3)
        os.dup2(from_chromium, 4)

    browser = subprocess.Popen(
        ['chromium', '--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
         '--user-data-dir=' + profile, 'about:blank'],
        pass_fds=(3, 4), preexec_fn=wire_fds, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_chromium)
    os.close(from_chromium)
    pending = b''
    last_id = 0

    def call(method, params=None, session=None):
        nonlocal pending, last_id
        last_id += 1
        message = {'id': last_id, 'method': method, 'params': params or {}}
        if session:
            message['sessionId'] = session
        os.write(chromium_in, json.dumps(message).encode() + b'\0')
        while True:
            while b'\0' in pending:
                text, pending = pending.split(b'\0', 1)
                reply = json.loads(text)
                if reply.get('id') == last_id:
                    if 'error' in reply:
                        raise RuntimeError(method + ': ' + json.dumps(reply['error']))
                    return reply['result']
            ready, _, _ = select.select([chromium_out], [], [], max(0, DEADLINE - time.monotonic()))
            if not ready:
                raise TimeoutError(method)
            data = os.read(chromium_out, 1 << 16)
            if not data:
                raise EOFError('chromium closed the DevTools pipe')
            pending += data

    try:
        target = call('Target.createTarget', {'url': 'chrome://policy'})['targetId']
        session = call('Target.attachToTarget', {'targetId': target, 'flatten': True})['sessionId']
        # The page's scripts (and window.cr) are ready once its document is.
        for _ in range(100):
            ready = call('Runtime.evaluate', {'expression': 'document.readyState + typeof (window.cr || {}).webUIResponse',
                                              'returnByValue': True}, session)
            if ready['result'].get('value') == 'completefunction':
                break
            time.sleep(0.05)
        result = call('Runtime.evaluate', {'expression': PAGE_SCRIPT, 'awaitPromise': True, 'returnByValue': True},
                      session)
        state = json.loads(result['result']['value'])
        groups = state.get('values', {}).get('policyGroups', {})
        print(json.dumps({'policies': groups.get('chrome', {}).get('policies', {}),
                          'logs': [entry.get('message', '') for entry in state.get('logs', [])]}))
        try:
            call('Browser.close')
        except (EOFError, TimeoutError, RuntimeError):
            pass
    finally:
        try:
            browser.wait(5)
        except subprocess.TimeoutExpired:
            browser.kill()
            browser.wait()


main()
