"""Python's http.server answering one request on 127.0.0.1:PORT, then exiting."""
import http.server
import sys

http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), http.server.SimpleHTTPRequestHandler).handle_request()
