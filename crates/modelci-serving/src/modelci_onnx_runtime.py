"""An MLServer runtime for one ONNX model, written by `modelci publish --layout mlserver`.

MLServer loads it through `"implementation": "modelci_onnx_runtime.OnnxModel"` in the
model-settings.json beside it (MLServer puts this folder on sys.path while loading). It needs
`mlserver` and `onnxruntime`; it runs the model on the CPU and answers every output.
"""

import numpy as np
import onnxruntime
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse
from mlserver.utils import get_model_uri


class OnnxModel(MLModel):
    """Serves the model at `parameters.uri` with an onnxruntime session."""

    async def load(self) -> bool:
        uri = await get_model_uri(self._settings)
        self._session = onnxruntime.InferenceSession(uri, providers=["CPUExecutionProvider"])
        self._outputs = [o.name for o in self._session.get_outputs()]
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        feeds = {i.name: NumpyCodec.decode_input(i) for i in payload.inputs}
        wanted = [o.name for o in payload.outputs] if payload.outputs else self._outputs
        values = self._session.run(wanted, feeds)
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            outputs=[
                NumpyCodec.encode_output(name, np.asarray(value))
                for name, value in zip(wanted, values)
            ],
        )
