"""MLX's ``nn.Upsample`` for NumPy arrays, with compiled, multithreaded kernels.

>>> import numpy as np
>>> from upsample import upsample
>>> x = np.arange(1, 5, dtype=np.float32).reshape(1, 2, 2, 1)
>>> upsample(x, 2, mode="linear")[0, :, :, 0]
array([[1.  , 1.25, 1.75, 2.  ],
       [1.5 , 1.75, 2.25, 2.5 ],
       [2.5 , 2.75, 3.25, 3.5 ],
       [3.  , 3.25, 3.75, 4.  ]], dtype=float32)
"""

from ._api import Upsample, clear_caches, upsample
from ._backward import upsample_backward
from ._color import linear_to_srgb, srgb_to_linear, upsample_image
from ._plan import kernel_info

__version__ = "0.1.0"

__all__ = [
    "Upsample", "upsample", "upsample_backward", "upsample_image", "srgb_to_linear",
    "linear_to_srgb", "clear_caches", "kernel_info", "__version__",
]
