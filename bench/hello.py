"""The ceiling for HTTP throughput: a hello-world Flask route under the same server."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
@app.route("/healthz")
def hello():
    return "hello"
