# Loopback HTTP server of the browser oracle tests (browser_oracle_test.cpp).
# GET /?case=NAME  the probe page (a secure context: http://127.0.0.1 is
#                  "potentially trustworthy", so getUserMedia is exposed);
# GET /wait        held until the page posts its report (or WAIT seconds):
#                  the page's iframe keeps the load event, hence --dump-dom,
#                  waiting for the asynchronous probes;
# GET /noscript    fetched by the page's <noscript> image when JavaScript is
#                  blocked: releases /wait at once (nothing will be posted);
# POST /result?case=NAME  the report, written to OUT_DIR/NAME.
# Usage: server.py PAGE OUT_DIR WAIT PORT_FILE   (binds 127.0.0.1, port 0)
import http.server, os, sys, threading, time, urllib.parse

page = open(sys.argv[1], 'rb').read()
out_dir, wait_seconds, port_file = sys.argv[2], float(sys.argv[3]), sys.argv[4]
done = threading.Event()

class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body):
        self.send_response(200)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == '/wait':
            done.wait(wait_seconds)
            self.reply(b'ok')
        elif self.path == '/noscript':
            done.set()
            self.reply(b'')
        else:
            done.clear()
            self.reply(page)

    def do_POST(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        name = os.path.basename(query.get('case', ['unnamed'])[0])
        data = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        with open(os.path.join(out_dir, name), 'wb') as f:
            f.write(data)
        done.set()
        self.reply(b'')

# The test stops this server by its pid; if the test itself is killed (CTest
# timeout), exit once orphaned rather than run for ever.
parent = os.getppid()
def exit_when_orphaned():
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)
threading.Thread(target=exit_when_orphaned, daemon=True).start()

server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
with open(port_file + '.tmp', 'w') as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + '.tmp', port_file)
server.serve_forever()
