"""The citizen's side of a case after sending it: the messages they are sent (e-mail, SMS) when it is answered,
closed or reopened, and their rating of the handling and reopening from the tracking page."""
